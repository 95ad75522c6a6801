// Engine: Wires a frame source through Vision and Corpus to Synth: the vision loop and the audio loop.
// (Module placeholder: delete this file once the module has real sources.)
