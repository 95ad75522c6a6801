// AudioOutput: Where sound goes: the AudioSink protocol, ALSA, WAV files and a paced null sink.
// (Module placeholder: delete this file once the module has real sources.)
