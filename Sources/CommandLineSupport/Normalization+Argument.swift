import ArgumentParser
import Vision

extension Normalization: ExpressibleByArgument {}
