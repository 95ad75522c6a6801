extension Duration {
    /// The duration in milliseconds, as a floating-point number.
    var milliseconds: Double {
        Double(components.seconds) * 1e3 + Double(components.attoseconds) / 1e15
    }
}
