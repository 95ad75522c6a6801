import ArgumentParser
import Vision

extension EfficientNetLite.Variant: ExpressibleByArgument {}
