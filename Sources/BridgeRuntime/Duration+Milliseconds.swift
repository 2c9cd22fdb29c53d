extension Duration {
    /// Whole milliseconds, rounded up so that a positive duration never becomes 0 ("no timeout" to libcurl).
    package var milliseconds: Int {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(clamping: millis)
    }
}
