// Scenophone: plays the server's audio stream with a jitter buffer.
//
// Chunks arrive over the WebSocket at irregular times; this processor keeps a ring of about two
// seconds, starts playing once `targetMs` of audio is buffered, fades out (holding the last sample)
// when the buffer runs dry instead of clicking, and plays slightly fast, one dropped sample in 64,
// when the buffer grows past its target, so sender and sound-card clocks never drift apart. After a
// burst (the network held audio back, then delivered it at once) it dips for a few milliseconds and
// skips ahead to the target rather than stay late.
'use strict';

class ScenophonePlayer extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const settings = (options && options.processorOptions) || {};
    this.capacity = sampleRate * 2;
    this.ring = [new Float32Array(this.capacity), new Float32Array(this.capacity)];
    this.readIndex = 0;
    this.writeIndex = 0;
    this.count = 0;
    this.target = Math.round((sampleRate * (settings.targetMs || 120)) / 1000);
    this.catchUpAbove = this.target + Math.round(sampleRate * 0.05);
    this.skipAbove = this.target + Math.round(sampleRate * 0.3);
    this.skipping = false;
    this.playing = false;
    this.gain = 0;
    this.last = [0, 0];
    this.stats = { received: 0, played: 0, underruns: 0, dropped: 0, peak: 0, sumSquares: 0, frames: 0 };
    this.framesSinceReport = 0;
    this.port.onmessage = (event) => this.push(event.data);
  }

  push(message) {
    const { samples, channels } = message;
    const frames = Math.floor(samples.length / channels);
    for (let i = 0; i < frames; i++) {
      if (this.count === this.capacity) {
        this.readIndex = (this.readIndex + 1) % this.capacity;
        this.count--;
        this.stats.dropped++;
      }
      const left = samples[i * channels];
      const right = channels > 1 ? samples[i * channels + 1] : left;
      this.ring[0][this.writeIndex] = left;
      this.ring[1][this.writeIndex] = right;
      this.writeIndex = (this.writeIndex + 1) % this.capacity;
      this.count++;
    }
    this.stats.received += frames;
    if (this.count > this.skipAbove) this.skipping = true;
  }

  process(inputs, outputs) {
    const output = outputs[0];
    const left = output[0];
    const right = output.length > 1 ? output[1] : null;
    const frames = left.length;
    if (!this.playing && this.count >= this.target) this.playing = true;
    for (let i = 0; i < frames; i++) {
      let l = this.last[0];
      let r = this.last[1];
      if (this.skipping && this.gain === 0) {
        // Faded out: jump to the target fill, then fade back in below.
        const skip = Math.max(0, this.count - this.target);
        this.readIndex = (this.readIndex + skip) % this.capacity;
        this.count -= skip;
        this.stats.dropped += skip;
        this.skipping = false;
      }
      if (this.playing && this.count > 0) {
        l = this.ring[0][this.readIndex];
        r = this.ring[1][this.readIndex];
        this.readIndex = (this.readIndex + 1) % this.capacity;
        this.count--;
        if (this.count > this.catchUpAbove && (this.stats.played & 63) === 0) {
          this.readIndex = (this.readIndex + 1) % this.capacity;
          this.count--;
          this.stats.dropped++;
        }
        this.gain = this.skipping ? Math.max(0, this.gain - 1 / 128) : Math.min(1, this.gain + 1 / 256);
        this.stats.played++;
      } else {
        if (this.playing) {
          this.playing = false;
          this.stats.underruns++;
        }
        this.gain = Math.max(0, this.gain - 1 / 256);
      }
      this.last[0] = l;
      this.last[1] = r;
      const a = l * this.gain;
      const b = r * this.gain;
      left[i] = a;
      if (right) right[i] = b;
      const magnitude = Math.max(Math.abs(a), Math.abs(b));
      if (magnitude > this.stats.peak) this.stats.peak = magnitude;
      this.stats.sumSquares += (a * a + b * b) / 2;
      this.stats.frames++;
    }
    this.framesSinceReport += frames;
    if (this.framesSinceReport >= sampleRate / 8) {
      this.framesSinceReport = 0;
      this.port.postMessage({
        received: this.stats.received,
        played: this.stats.played,
        underruns: this.stats.underruns,
        dropped: this.stats.dropped,
        bufferedMs: (this.count / sampleRate) * 1000,
        peak: this.stats.peak,
        rms: Math.sqrt(this.stats.sumSquares / Math.max(1, this.stats.frames)),
      });
      this.stats.peak = 0;
      this.stats.sumSquares = 0;
      this.stats.frames = 0;
    }
    return true;
  }
}

registerProcessor('scenophone-player', ScenophonePlayer);
