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
    products: [
        .executable(name: "mcp-bridge", targets: ["bridge"]),
        .library(name: "MCPBridge", targets: ["MCPBridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
        // Layers, each depending only on those above it here; nothing but BridgeHTTP imports CCurl
        // (ARCHITECTURE.md).
        .target(name: "BridgeRuntime", swiftSettings: swiftSettings),
        .target(name: "BridgeWire", swiftSettings: swiftSettings),
        .target(name: "BridgeHTTP", dependencies: ["CCurl", "BridgeRuntime"], swiftSettings: swiftSettings),
        .target(
            name: "MCPBridge",
            dependencies: [
                "BridgeRuntime", "BridgeWire", "BridgeHTTP",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "bridge",
            dependencies: [
                "MCPBridge",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MCPBridgeTests",
            dependencies: ["MCPBridge", "BridgeRuntime", "BridgeWire", "BridgeHTTP"],
            exclude: ["Golden"],  // expected outputs, read from the repository path (`GoldenFile`)
            swiftSettings: swiftSettings
        ),
    ]
)
