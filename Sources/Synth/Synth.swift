// Synth: Granular synthesis: distance-to-probability map, alias sampling, grains, voices, limiter.
// (Module placeholder: delete this file once the module has real sources.)
