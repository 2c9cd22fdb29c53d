// The C library, re-exported: every other target imports `BridgePlatform` for the POSIX calls it makes, so the
// choice between Glibc (Linux), Musl (static Linux) and Darwin (macOS) is made once, here.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#else
#error("mcp-bridge needs a POSIX C library (Glibc, Musl or Darwin); Windows is not supported yet (README)")
#endif
