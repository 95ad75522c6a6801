// MediaIO: Media through the ffmpeg program: video frames, audio, probing, WAV files and muxing.
// (Module placeholder: delete this file once the module has real sources.)
