import ArgumentParser
import MCPBridge

@main
struct MCPBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mcp-bridge", version: BridgeVersion.current)
    func run() async throws {}
}
