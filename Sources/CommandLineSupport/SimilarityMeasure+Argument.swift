import ArgumentParser
import Corpus

extension SimilarityMeasure: ExpressibleByArgument {}
