import Foundation
import MCPBridge
import Testing

/// Writing a host's file: the previous one backed up beside it, replaced in one rename, its mode kept, links kept,
/// missing folders made.
@Suite("Config file writer")
struct ConfigFileTests {
    @Test func theOldFileIsBackedUpAndTheModeKept() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(Array("{}\n".utf8), to: "mcp.json")
        #expect(chmod(path, 0o640) == 0)
        let backup = try #require(try ConfigFile.write(Array("{\"a\":1}\n".utf8), to: path, timestamp: "20260102-030405"))
        #expect(backup == path + ".20260102-030405.bak")
        #expect(try directory.read("mcp.json") == Array("{\"a\":1}\n".utf8))
        #expect(try directory.read("mcp.json.20260102-030405.bak") == Array("{}\n".utf8))
        #expect(try mode(path) == 0o640)
        #expect(try mode(backup) == 0o640)
        // A second write in the same second keeps the first backup.
        let second = try ConfigFile.write(Array("{}".utf8), to: path, timestamp: "20260102-030405")
        #expect(second == path + ".20260102-030405.bak.1")
        #expect(try directory.read("mcp.json.20260102-030405.bak") == Array("{}\n".utf8))
        #expect(try directory.files() == ["mcp.json", "mcp.json.20260102-030405.bak", "mcp.json.20260102-030405.bak.1"],
                "no temporary file left")
    }

    @Test func aMissingFileAndItsFoldersAreCreatedPrivate() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/.codeium/windsurf/mcp_config.json"
        #expect(try ConfigFile.read(path) == nil)
        #expect(try ConfigFile.write(Array("{}".utf8), to: path, timestamp: "t") == nil)
        #expect(try ConfigFile.read(path) == Array("{}".utf8))
        #expect(try mode(path) == 0o600)
    }

    @Test func aSymbolicLinkStaysALink() throws {
        let directory = try TemporaryDirectory()
        let target = try directory.write(Array("{}".utf8), to: "dotfiles/claude.json")
        let link = directory.path + "/.claude.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try ConfigFile.write(Array("{\"x\":1}".utf8), to: link, timestamp: "t")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try directory.read("dotfiles/claude.json") == Array("{\"x\":1}".utf8))
        #expect(try directory.read("dotfiles/claude.json.t.bak") == Array("{}".utf8))
    }

    private func mode(_ path: String) throws -> mode_t {
        var status = stat()
        guard stat(path, &status) == 0 else { throw TestFailure("stat \(path)") }
        return status.st_mode & 0o7777
    }
}
