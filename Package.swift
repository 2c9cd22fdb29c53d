// swift-tools-version:6.0
import PackageDescription

/// Settings shared by every Swift target. Each upcoming feature is one the style guide's model packages
/// (swift-subprocess, Hummingbird) turn on: explicit existentials and import visibility keep the API honest.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "mcp-bridge",
    // Synchronization's Mutex and Atomic need macOS 15 (README: building on macOS).
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mcp-bridge", targets: ["bridge"]),
        .library(name: "MCPBridge", targets: ["MCPBridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // SHA-256 and HMAC for AWS SigV4 request signing (MCPBridge/Signing).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
        // Layers, each depending only on those above it here; nothing but BridgeHTTP imports CCurl and nothing but
        // BridgePlatform imports the C library or calls what only one OS has (ARCHITECTURE.md, scripts/platform-check.sh).
        .target(name: "BridgePlatform", swiftSettings: swiftSettings),
        .target(name: "BridgeRuntime", dependencies: ["BridgePlatform"], swiftSettings: swiftSettings),
        .target(name: "BridgeWire", dependencies: ["BridgePlatform"], swiftSettings: swiftSettings),
        .target(name: "BridgeHTTP", dependencies: ["CCurl", "BridgePlatform", "BridgeRuntime"], swiftSettings: swiftSettings),
        .target(
            name: "MCPBridge",
            dependencies: [
                "BridgePlatform", "BridgeRuntime", "BridgeWire", "BridgeHTTP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "bridge",
            dependencies: [
                "MCPBridge", "BridgeHTTP", "BridgePlatform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MCPBridgeTests",
            dependencies: ["MCPBridge", "BridgePlatform", "BridgeRuntime", "BridgeWire", "BridgeHTTP"],
            // expected outputs and host config copies, read from the repository path (`GoldenFile`, `HostFixture`)
            exclude: ["Golden", "HostConfig/Fixtures"],
            swiftSettings: swiftSettings
        ),
    ]
)

// libFuzzer targets (Fuzz/run.sh, `make fuzz`, RELIABILITY.md), declared only when MCP_BRIDGE_FUZZ=1 so an ordinary
// `swift build` / `swift test` never builds them: they only link with `--sanitize fuzzer` (libFuzzer provides
// `main`; each target defines `LLVMFuzzerTestOneInput`). Fuzz/run.sh builds them into .build-fuzz.
if Context.environment["MCP_BRIDGE_FUZZ"] == "1" {
    // Fuzz/targets holds one file per module (regression notes in Sources and Tests cite Fuzz/targets/<target>.swift);
    // each module takes its own file and excludes the others.
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("sse", ["BridgeWire"]),
        ("lines", ["BridgeWire"]),
        ("header", ["BridgeHTTP"]),
        ("splice", ["BridgeWire"]),
        ("redirect", ["BridgeHTTP"]),
        ("batch", ["BridgeWire"]),
        ("headervalue", ["BridgeHTTP"]),
    ]
    let files = ["FuzzSupport"] + fuzzTargets.map(\.name)
    func otherFiles(_ file: String) -> [String] { files.filter { $0 != file }.map { "\($0).swift" } }
    package.targets.append(
        .target(
            name: "FuzzSupport",
            path: "Fuzz/targets",
            exclude: otherFiles("FuzzSupport"),
            sources: ["FuzzSupport.swift"],
            swiftSettings: swiftSettings
        )
    )
    for target in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: "fuzz-\(target.name)",
                dependencies: target.dependencies + ["FuzzSupport"],
                path: "Fuzz/targets",
                exclude: otherFiles(target.name),
                sources: ["\(target.name).swift"],
                swiftSettings: swiftSettings
            )
        )
    }
}
