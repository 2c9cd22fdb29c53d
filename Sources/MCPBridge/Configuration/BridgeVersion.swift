/// The version reported by `--version` and in `User-Agent`.
public enum BridgeVersion {
    public static let current = "0.1.0"
}
