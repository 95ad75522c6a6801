// Scenophone: the page. Opens the camera, sends frames to the server over a WebSocket, plays the
// audio stream, and draws the inside view (nearest corpus frames, p(t), grains, labels, level).
// Plain JavaScript, no build step, nothing fetched from anywhere but this server.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const palette = ['#5eead4', '#fbbf24', '#a78bfa', '#f472b6', '#60a5fa', '#a3e635', '#fb923c', '#f87171', '#34d399', '#c084fc'];
  const colour = (source) => palette[source % palette.length];

  const query = new URLSearchParams(location.search);
  const token = query.get('token');

  // Everything the tests (and a curious visitor's console) may want to read.
  const app = (window.scenophone = {
    connected: false,
    welcome: null,
    state: null,
    role: 'viewer',
    statesReceived: 0,
    framesSent: 0,
    previewsReceived: 0,
    audio: { chunks: 0, received: 0, played: 0, underruns: 0, dropped: 0, bufferedMs: 0, rms: 0, peak: 0 },
    errors: [],
  });

  let socket = null;
  let reconnectDelay = 500;
  let wantCamera = false;
  let wantListen = false;

  // MARK: Connection

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    setStatus('connecting', 'connecting…');
    socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      reconnectDelay = 500;
      app.connected = true;
      socket.send(JSON.stringify({ type: 'hello', role: wantCamera ? 'camera' : 'viewer', listen: wantListen }));
    };
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') onText(JSON.parse(event.data));
      else onBinary(event.data);
    };
    socket.onclose = (event) => {
      app.connected = false;
      setStatus('error', event.code === 1000 || event.code === 1006 ? 'reconnecting…' : `closed (${event.reason || event.code})`);
      // Reconnecting resumes: the hello carries the role and listening state again.
      setTimeout(connect, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, 8000);
    };
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function onText(message) {
    switch (message.type) {
      case 'welcome':
        app.welcome = message;
        setRole(message.role);
        buildControls(message.model);
        buildPresets(message.presets);
        buildSources(message.overview, message.sourceVolume);
        buildTeachChoices(message.overview);
        showParameters(message.parameters);
        resizeTimeline();
        break;
      case 'state':
        onState(message);
        break;
      case 'parameters': {
        const { type, ...parameters } = message;
        showParameters(parameters);
        break;
      }
      case 'preset':
        savePresetFile(message.preset);
        break;
      case 'role':
        if (message.role === 'viewer' && app.role === 'camera') {
          // Another device took the camera over (or this one gave it up).
          if (wantCamera) toast('Another device is the camera now.');
          wantCamera = false;
          stopCamera();
        }
        setRole(message.role);
        break;
      case 'taught':
        onTaught(message);
        break;
      case 'error':
        app.errors.push(message);
        toast(`Server: ${message.message}`);
        break;
    }
  }

  function onBinary(buffer) {
    const view = new DataView(buffer);
    const magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
    if (magic === 'SCA1') onAudio(view, buffer);
    else if (magic === 'SCP1') onPreview(view, buffer);
  }

  function setStatus(state, text) {
    const pill = $('status');
    pill.dataset.state = state;
    pill.textContent = text;
  }

  function setRole(role) {
    app.role = role;
    $('camera-toggle').textContent = role === 'camera' ? 'Stop camera' : 'Use this camera';
    $('camera-toggle').setAttribute('aria-pressed', String(role === 'camera'));
    setStatus(role === 'camera' ? 'camera' : 'live', role === 'camera' ? 'live · camera' : 'live · watching');
  }

  // MARK: Camera

  const video = $('video');
  const frameCanvas = $('frame');
  const frameContext = frameCanvas.getContext('2d');
  const captureCanvas = document.createElement('canvas');
  const captureContext = captureCanvas.getContext('2d', { willReadFrequently: true });
  let stream = null;
  let facing = 'environment';
  let captureTimer = null;
  let sequence = 0;

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      toast('This browser cannot open the camera here (it needs HTTPS or localhost).');
      return false;
    }
    try {
      stopStream();
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: facing }, width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
    } catch (error) {
      toast(`The camera could not be opened: ${error.message || error.name}`);
      return false;
    }
    video.srcObject = stream;
    await video.play().catch(() => {});
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    $('camera-switch').hidden = devices.filter((d) => d.kind === 'videoinput').length < 2;
    $('frame-empty').hidden = true;
    scheduleCapture();
    return true;
  }

  function stopStream() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
  }

  function stopCamera() {
    clearInterval(captureTimer);
    captureTimer = null;
    stopStream();
    $('camera-switch').hidden = true;
  }

  function scheduleCapture() {
    clearInterval(captureTimer);
    const rate = (app.welcome && app.welcome.frameRate) || 10;
    captureTimer = setInterval(captureFrame, 1000 / rate);
  }

  // Scales the centre square of the camera to the network's input and sends it as RGB.
  function captureFrame() {
    if (!app.welcome || !stream || video.readyState < 2) return;
    const side = app.welcome.inputSide;
    if (captureCanvas.width !== side) {
      captureCanvas.width = side;
      captureCanvas.height = side;
    }
    const w = video.videoWidth;
    const h = video.videoHeight;
    const crop = Math.min(w, h);
    captureContext.drawImage(video, (w - crop) / 2, (h - crop) / 2, crop, crop, 0, 0, side, side);
    drawFrame(captureCanvas);
    // Latest frame wins here too: skip a frame rather than queue behind a slow network.
    if (!socket || socket.readyState !== WebSocket.OPEN || app.role !== 'camera') return;
    if (socket.bufferedAmount > side * side * 3 * 2) return;
    const rgba = captureContext.getImageData(0, 0, side, side).data;
    const message = new ArrayBuffer(24 + side * side * 3);
    const header = new DataView(message);
    header.setUint8(0, 0x53); // S
    header.setUint8(1, 0x43); // C
    header.setUint8(2, 0x46); // F
    header.setUint8(3, 0x31); // 1
    header.setUint32(4, sequence++ >>> 0, true);
    header.setUint16(8, side, true);
    header.setUint16(10, side, true);
    header.setUint32(12, 0, true);
    header.setFloat64(16, performance.now(), true);
    const rgb = new Uint8Array(message, 24);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgb[j] = rgba[i];
      rgb[j + 1] = rgba[i + 1];
      rgb[j + 2] = rgba[i + 2];
    }
    socket.send(message);
    app.framesSent++;
  }

  function drawFrame(source) {
    frameContext.imageSmoothingQuality = 'high';
    frameContext.drawImage(source, 0, 0, frameCanvas.width, frameCanvas.height);
    $('frame-empty').hidden = true;
  }

  // Viewers see the frame the camera sent, as the server passed it on.
  const previewCanvas = document.createElement('canvas');
  const previewContext = previewCanvas.getContext('2d');
  function onPreview(view, buffer) {
    if (app.role === 'camera') return;
    const width = view.getUint16(8, true);
    const height = view.getUint16(10, true);
    if (previewCanvas.width !== width) {
      previewCanvas.width = width;
      previewCanvas.height = height;
    }
    const image = previewContext.createImageData(width, height);
    const rgb = new Uint8Array(buffer, 24);
    const rgba = image.data;
    for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
      rgba[i] = rgb[j];
      rgba[i + 1] = rgb[j + 1];
      rgba[i + 2] = rgb[j + 2];
      rgba[i + 3] = 255;
    }
    previewContext.putImageData(image, 0, 0);
    drawFrame(previewCanvas);
    app.previewsReceived++;
  }

  // The camera is wanted before it opens, so a hello sent meanwhile already asks for the role.
  async function becomeCamera() {
    wantCamera = true;
    if (await startCamera()) send({ type: 'role', role: 'camera' });
    else wantCamera = false;
  }

  $('camera-toggle').addEventListener('click', () => {
    if (app.role === 'camera') {
      wantCamera = false;
      send({ type: 'role', role: 'viewer' });
      stopCamera();
    } else {
      becomeCamera();
    }
  });

  $('camera-switch').addEventListener('click', () => {
    facing = facing === 'environment' ? 'user' : 'environment';
    startCamera();
  });

  // MARK: Audio

  let audioContext = null;
  let player = null;

  async function startListening() {
    if (!audioContext) {
      audioContext = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
      await audioContext.audioWorklet.addModule('audio-worklet.js');
      player = new AudioWorkletNode(audioContext, 'scenophone-player', {
        outputChannelCount: [2],
        processorOptions: { targetMs: 150 },
      });
      player.port.onmessage = (event) => Object.assign(app.audio, event.data);
      player.connect(audioContext.destination);
    }
    await audioContext.resume();
    wantListen = true;
    send({ type: 'listen', on: true });
    $('listen-toggle').setAttribute('aria-pressed', 'true');
    $('listen-toggle').textContent = 'Sound here: on';
  }

  function stopListening() {
    wantListen = false;
    send({ type: 'listen', on: false });
    if (audioContext) audioContext.suspend();
    $('listen-toggle').setAttribute('aria-pressed', 'false');
    $('listen-toggle').textContent = 'Play sound here';
  }

  function onAudio(view, buffer) {
    if (!player) return;
    const channels = view.getUint16(12, true);
    const frames = view.getUint16(14, true);
    const pcm = new Int16Array(buffer, 16, frames * channels);
    const samples = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i] / 32768;
    player.port.postMessage({ samples, channels }, [samples.buffer]);
    app.audio.chunks++;
  }

  $('listen-toggle').addEventListener('click', () => {
    if (wantListen) stopListening();
    else startListening().catch((error) => toast(`Sound could not start: ${error.message}`));
  });

  // MARK: State

  const grains = [];
  // p(t) as the server sends it: a few lanes (the sources that hold the mass, and this page's
  // pinned ones), how much the other sources hold, and the whole corpus as a strip of buckets.
  let lanes = [];
  let others = { count: 0, mass: 0 };
  let archive = [];
  let laneShape = '';
  let lastEchoed = null;
  let roundTrip = null;

  // Session recording (servers started with --record): the button shows what the server does.
  function showRecording(recording) {
    const button = $('record-toggle');
    button.hidden = !recording;
    if (!recording) return;
    app.recording = recording;
    button.disabled = recording.busy;
    button.setAttribute('aria-pressed', recording.active ? 'true' : 'false');
    button.textContent = recording.busy ? 'Saving…' : recording.active ? 'Stop recording' : 'Record';
    button.title = recording.error || (recording.session ? `Session ${recording.session}` : 'Record the session on the server');
  }

  $('record-toggle').addEventListener('click', () => {
    send({ type: 'record', on: !(app.recording && app.recording.active) });
  });

  function onState(state) {
    app.state = state;
    app.statesReceived++;
    lanes = state.lanes || [];
    others = state.others || { count: 0, mass: 0 };
    archive = state.archive || [];
    // The canvas grows with the lanes; the source list follows which sources they are.
    const shape = lanes.map((lane) => `${lane.source}${lane.pinned ? 'p' : ''}`).join(',') + (others.count > 0 ? '+' : '');
    if (shape !== laneShape) {
      const resize = shape.split(',').length !== laneShape.split(',').length || shape.endsWith('+') !== laneShape.endsWith('+');
      laneShape = shape;
      if (resize) resizeTimeline();
      // Not under a finger: a volume being dragged in the list keeps its row.
      const listBusy = dragging && $('sources').contains(dragging);
      if (isArchive() && !$('source-search').value.trim() && !listBusy) showSourceList();
    }
    const now = performance.now();
    for (const grain of state.grains || []) grains.push({ ...grain, born: now });
    if (grains.length > 600) grains.splice(0, grains.length - 600);
    showRecording(state.recording);
    showNearest(state.nearest || []);
    showLabels(state.labels || []);
    showLevel(state.level);
    const audience = state.audience || {};
    $('stat-audience').textContent = `${audience.viewers || 0} connected · ${audience.listeners || 0} listening`;
    $('stat-frames').textContent = state.cameraActive ? `camera live · frame ${state.frame ?? '–'}` : 'no camera';
    let latency = state.visionMilliseconds != null ? `frame → p(t) ${state.visionMilliseconds.toFixed(0)} ms` : '';
    // The camera page sees its own frames come back: capture → server → p(t) → this state.
    if (app.role === 'camera' && state.captureTime != null && state.frameSequence !== lastEchoed) {
      lastEchoed = state.frameSequence;
      roundTrip = performance.now() - state.captureTime;
    }
    if (app.role === 'camera' && roundTrip != null) latency += ` · round trip ${roundTrip.toFixed(0)} ms`;
    $('stat-latency').textContent = latency;
    $('stat-cut').textContent = state.secondsSinceCut != null ? `cut ${state.secondsSinceCut.toFixed(1)} s ago` : '';
    $('stat-underruns').textContent = `server underruns ${state.underruns}`;
    if (wantListen) {
      const a = app.audio;
      $('stat-audio').textContent = `buffer ${a.bufferedMs.toFixed(0)} ms · dropouts ${a.underruns}`;
    }
  }

  function formatTime(seconds) {
    const m = Math.floor(seconds / 60);
    const s = seconds - m * 60;
    return `${m}:${s.toFixed(1).padStart(4, '0')}`;
  }

  function sourceName(index) {
    const sources = app.welcome ? app.welcome.overview.sources : [];
    return sources[index] ? sources[index].name : `source ${index}`;
  }

  // A still stands for its whole recording: a time within it would mean nothing.
  function isStill(index) {
    const sources = app.welcome ? app.welcome.overview.sources : [];
    return sources[index] ? sources[index].kind === 'still' : false;
  }

  const cardPool = [];
  function showNearest(nearest) {
    const container = $('nearest');
    $('nearest-empty').hidden = nearest.length > 0;
    while (cardPool.length < nearest.length) {
      const card = document.createElement('article');
      card.className = 'card';
      card.innerHTML = '<img alt=""><span class="rank"></span><div class="meta"><div class="source"><span class="dot"></span><span class="label"></span></div><div class="detail"><span class="time"></span><span class="distance"></span></div></div>';
      cardPool.push(card);
      container.appendChild(card);
    }
    cardPool.forEach((card, i) => {
      const item = nearest[i];
      card.hidden = !item;
      if (!item) return;
      const src = `corpus/frames/${item.index}.jpg`;
      const img = card.querySelector('img');
      if (img.getAttribute('src') !== src) img.setAttribute('src', src);
      card.style.setProperty('--card-colour', colour(item.source));
      card.querySelector('.dot').style.setProperty('--dot', colour(item.source));
      card.querySelector('.rank').textContent = `#${i + 1}`;
      card.querySelector('.label').textContent = sourceName(item.source);
      // A taught example stands for a stretch of its source, not a moment of it.
      card.classList.toggle('example', !!item.example);
      card.querySelector('.time').textContent = item.example
        ? 'taught example' : isStill(item.source) ? 'still' : formatTime(item.time);
      card.querySelector('.distance').textContent = `d ${item.distance.toFixed(1)}`;
      card.dataset.source = String(item.source);
    });
  }

  function showLabels(labels) {
    const list = $('labels');
    while (list.children.length < labels.length) {
      const item = document.createElement('li');
      item.innerHTML = '<span class="name"></span><span class="probability"></span><span class="bar-track"><span class="bar-fill"></span></span>';
      list.appendChild(item);
    }
    Array.from(list.children).forEach((item, i) => {
      const label = labels[i];
      item.hidden = !label;
      if (!label) return;
      item.querySelector('.name').textContent = label.name;
      item.querySelector('.probability').textContent = `${(label.probability * 100).toFixed(1)} %`;
      item.querySelector('.bar-fill').style.width = `${Math.max(1, label.probability * 100)}%`;
    });
  }

  let peakHold = 0;
  function showLevel(level) {
    if (!level) return;
    const toWidth = (linear) => {
      const db = 20 * Math.log10(Math.max(linear, 1e-5));
      return Math.max(0, Math.min(1, (db + 60) / 60));
    };
    peakHold = Math.max(toWidth(level.peak), peakHold * 0.92);
    $('meter-rms').style.width = `${toWidth(level.rms) * 100}%`;
    $('meter-peak').style.left = `calc(${peakHold * 100}% - 2px)`;
  }

  // MARK: Timeline

  const timeline = $('timeline');
  const timelineContext = timeline.getContext('2d');

  // Heights in CSS pixels: a corpus of a few sources draws every one as a lane, as tall as fits;
  // an archive draws its lanes, a line for the rest and a strip of the whole corpus.
  const stripHeight = 84;
  // Where the last drawing put things, for clicks: a lane pins or unpins its source, a bucket of
  // the strip lists its sources.
  let layout = null;

  timeline.addEventListener('click', (event) => {
    if (!layout || !isArchive()) return;
    const box = timeline.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    if (y >= 4 && y < 4 + layout.laneArea) {
      const lane = lanes[Math.floor((y - 4) / layout.laneHeight)];
      if (lane) setPinned(lane.source, !pinned.includes(lane.source));
    } else if (y >= layout.stripTop - 8 && x >= layout.labelWidth && archive.length > 0) {
      const bucket = Math.floor(((x - layout.labelWidth) / layout.plotWidth) * archive.length);
      showArchiveBucket(Math.max(0, Math.min(archive.length - 1, bucket)));
    }
  });

  function resizeTimeline() {
    const ratio = window.devicePixelRatio || 1;
    const count = Math.max(1, isArchive() ? lanes.length : app.welcome ? app.welcome.overview.sources.length : 1);
    const cssHeight = isArchive() ? 8 + 46 * count + stripHeight : Math.max(160, Math.min(60 * count + 24, 480));
    timeline.style.height = `${cssHeight}px`;
    timeline.width = Math.round(timeline.clientWidth * ratio);
    timeline.height = Math.round(cssHeight * ratio);
  }
  window.addEventListener('resize', resizeTimeline);

  function percent(mass) {
    const value = mass * 100;
    return `${value >= 9.95 ? value.toFixed(0) : value.toFixed(1)} %`;
  }

  function drawTimeline() {
    requestAnimationFrame(drawTimeline);
    const ctx = timelineContext;
    const ratio = window.devicePixelRatio || 1;
    const width = timeline.width / ratio;
    const height = timeline.height / ratio;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (!app.welcome) return;
    const sources = app.welcome.overview.sources;
    if (sources.length === 0) return;
    const archiveShown = others.count > 0;
    const labelWidth = Math.min(170, width * 0.28);
    const laneArea = height - 8 - (archiveShown ? stripHeight : 0);
    const laneHeight = laneArea / Math.max(1, lanes.length);
    const plotWidth = width - labelWidth - 8;
    let maximum = 1e-9;
    for (const lane of lanes) for (const p of lane.curve) if (p > maximum) maximum = p;
    const rowOf = new Map();
    const settings = app.welcome.parameters.sources || [];

    lanes.forEach((lane, row) => {
      const source = sources[lane.source];
      if (!source) return;
      rowOf.set(lane.source, row);
      const top = 4 + row * laneHeight;
      const base = top + laneHeight - 6;
      const tint = colour(lane.source);
      const muted = settings[lane.source] && settings[lane.source].muted;
      ctx.globalAlpha = muted ? 0.35 : 1;
      ctx.fillStyle = '#0d131b';
      ctx.fillRect(labelWidth, top + 2, plotWidth, laneHeight - 6);
      if (lane.pinned) {
        ctx.fillStyle = tint;
        ctx.fillRect(labelWidth - 4, top + 2, 2, laneHeight - 6);
      }
      ctx.fillStyle = tint;
      ctx.font = '600 12px "DejaVu Sans", system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      ctx.fillText(truncate(ctx, source.name, labelWidth - 14), 4, top + laneHeight / 2 - 7);
      ctx.fillStyle = '#8b98a8';
      ctx.font = '11px "DejaVu Sans", system-ui, sans-serif';
      const detail = `${percent(lane.mass)} · ${formatTime(source.duration)}${lane.pinned ? ' · pinned' : ` · ${source.kind}`}`;
      ctx.fillText(truncate(ctx, detail, labelWidth - 14), 4, top + laneHeight / 2 + 9);

      const curve = lane.curve;
      if (curve.length > 0) {
        const gradient = ctx.createLinearGradient(0, top, 0, base);
        gradient.addColorStop(0, tint);
        gradient.addColorStop(1, 'rgba(13, 19, 27, 0.2)');
        ctx.beginPath();
        ctx.moveTo(labelWidth, base);
        curve.forEach((p, i) => {
          const x = labelWidth + ((i + 0.5) / curve.length) * plotWidth;
          const y = base - Math.sqrt(p / maximum) * (laneHeight - 12);
          ctx.lineTo(x, y);
        });
        ctx.lineTo(labelWidth + plotWidth, base);
        ctx.closePath();
        ctx.fillStyle = gradient;
        ctx.globalAlpha = (muted ? 0.35 : 1) * 0.55;
        ctx.fill();
        ctx.globalAlpha = muted ? 0.35 : 1;
        ctx.strokeStyle = tint;
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
    });
    ctx.globalAlpha = 1;

    // The rest of an archive: one line for the sources not drawn, then the whole corpus as a strip
    // (mass per bucket of neighbouring sources), with a tick where each lane's source lies.
    const stripTop = height - stripHeight + 22;
    const stripBase = height - 6;
    layout = { labelWidth, plotWidth, laneHeight, laneArea, stripTop, stripBase };
    const stripX = (source) => labelWidth + ((source + 0.5) / sources.length) * plotWidth;
    if (archiveShown) {
      const line = 4 + laneArea + 8;
      ctx.textBaseline = 'middle';
      ctx.fillStyle = '#c9d4e0';
      ctx.font = '600 12px "DejaVu Sans", system-ui, sans-serif';
      ctx.fillText(`${others.count.toLocaleString('en')} other sources`, 4, line);
      ctx.fillStyle = '#8b98a8';
      ctx.font = '11px "DejaVu Sans", system-ui, sans-serif';
      ctx.fillText(`hold ${percent(others.mass)} of p(t)`, labelWidth, line);
      ctx.fillText('the whole corpus,', 4, stripTop + 12);
      ctx.fillText(`${sources.length.toLocaleString('en')} sources in order`, 4, stripTop + 28);
      ctx.fillStyle = '#0d131b';
      ctx.fillRect(labelWidth, stripTop, plotWidth, stripBase - stripTop);
      let top = 1e-9;
      for (const value of archive) if (value > top) top = value;
      const bucketWidth = plotWidth / Math.max(1, archive.length);
      const gradient = ctx.createLinearGradient(labelWidth, 0, labelWidth + plotWidth, 0);
      gradient.addColorStop(0, '#5eead4');
      gradient.addColorStop(1, '#a78bfa');
      ctx.fillStyle = gradient;
      archive.forEach((value, bucket) => {
        if (value <= 0) return;
        const h = Math.max(1, Math.sqrt(value / top) * (stripBase - stripTop - 4));
        ctx.fillRect(labelWidth + bucket * bucketWidth, stripBase - h, Math.max(1, bucketWidth - 0.5), h);
      });
      for (const lane of lanes) {
        const x = stripX(lane.source);
        ctx.fillStyle = colour(lane.source);
        ctx.beginPath();
        ctx.moveTo(x - 4, stripTop - 7);
        ctx.lineTo(x + 4, stripTop - 7);
        ctx.lineTo(x, stripTop - 1);
        ctx.closePath();
        ctx.fill();
      }
    }

    // Grains: a dot where each one reads, fading over a second and a half; a grain of a source
    // without a lane is a dot on the strip.
    const now = performance.now();
    while (grains.length && now - grains[0].born > 1500) grains.shift();
    for (const grain of grains) {
      const source = sources[grain.source];
      if (!source || source.duration <= 0) continue;
      const age = (now - grain.born) / 1500;
      const row = rowOf.get(grain.source);
      ctx.globalAlpha = Math.max(0, 1 - age) * (0.4 + 0.6 * Math.min(1, grain.gain * 2));
      ctx.fillStyle = '#ffffff';
      ctx.beginPath();
      if (row != null) {
        const x = labelWidth + (grain.time / source.duration) * plotWidth;
        const top = 4 + row * laneHeight;
        const y = top + 8 + ((grain.pan + 1) / 2) * (laneHeight - 22);
        const w = Math.max(2, (grain.duration / source.duration) * plotWidth);
        ctx.ellipse(x + w / 2, y, w / 2 + 1.5, 2.5 + 3 * (1 - age), 0, 0, Math.PI * 2);
      } else if (archiveShown) {
        const y = stripTop + 6 + ((grain.pan + 1) / 2) * (stripBase - stripTop - 12);
        ctx.ellipse(stripX(grain.source), y, 2, 2 + 2 * (1 - age), 0, 0, Math.PI * 2);
      }
      ctx.fill();
    }
    ctx.globalAlpha = 1;
  }

  function truncate(ctx, text, width) {
    if (ctx.measureText(text).width <= width) return text;
    let cut = text;
    while (cut.length > 1 && ctx.measureText(cut + '…').width > width) cut = cut.slice(0, -1);
    return cut + '…';
  }

  // MARK: Controls

  // Every control is built from the sound model in the welcome message: its name, label, unit,
  // range, scale (linear or log) and whether it can change while the sound plays. No range is
  // written in this page.
  let model = [];
  const inputs = new Map(); // parameter name → its <input> or <select>
  let dragging = null;
  let pending = {};
  let pendingTimer = null;

  // A log slider runs 0…1 and maps to min·(max/min)^t; a linear one spans the range itself.
  function sliderToValue(parameter, input) {
    const t = Number(input.value);
    let value = parameter.scale === 'log' ? parameter.minimum * Math.pow(parameter.maximum / parameter.minimum, t) : t;
    if (parameter.integer) value = Math.round(value);
    return Math.min(parameter.maximum, Math.max(parameter.minimum, value));
  }

  function valueToSlider(parameter, value) {
    if (parameter.scale === 'log') return Math.log(value / parameter.minimum) / Math.log(parameter.maximum / parameter.minimum);
    return value;
  }

  function describe(parameter, value) {
    if (parameter.choices) return parameter.choices[value] ?? String(value);
    if (parameter.name === 'topK' && value === 0) return 'all';
    if (parameter.name === 'smoothing' && value === 0) return 'off';
    const span = parameter.maximum - parameter.minimum;
    const digits = parameter.integer ? 0 : Math.abs(value) >= 100 || span >= 500 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
    return `${value.toFixed(digits)}${parameter.unit ? ` ${parameter.unit}` : ''}`;
  }

  const groups = { grains: 'Grains', mapping: 'Listening: distance → p(t)', start: 'Fixed when the sound starts' };

  function buildControls(parameters) {
    model = parameters || [];
    const container = $('sound-controls');
    container.textContent = '';
    inputs.clear();
    for (const effect of Object.keys(groups)) {
      const members = model.filter((p) => p.effect === effect);
      if (members.length === 0) continue;
      const heading = document.createElement('h3');
      heading.textContent = groups[effect];
      container.appendChild(heading);
      for (const parameter of members) container.appendChild(buildControl(parameter));
    }
  }

  function buildControl(parameter) {
    const row = document.createElement('div');
    row.className = 'control';
    row.dataset.parameter = parameter.name;
    const id = `parameter-${parameter.name}`;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = parameter.label;
    label.title = parameter.help;
    const output = document.createElement('output');
    output.htmlFor = id;
    let input;
    if (parameter.choices) {
      input = document.createElement('select');
      parameter.choices.forEach((choice, index) => input.add(new Option(choice, String(index))));
    } else {
      input = document.createElement('input');
      input.type = 'range';
      if (parameter.scale === 'log') {
        input.min = '0';
        input.max = '1';
        input.step = '0.001';
      } else {
        input.min = String(parameter.minimum);
        input.max = String(parameter.maximum);
        input.step = parameter.integer ? '1' : String((parameter.maximum - parameter.minimum) / 1000);
      }
    }
    input.id = id;
    input.dataset.parameter = parameter.name;
    input.title = parameter.help;
    if (parameter.effect === 'start') {
      input.disabled = true;
      row.classList.add('fixed');
      row.title = 'Fixed when the sound starts: give it on the command line or in a preset.';
    }
    input.addEventListener('pointerdown', () => (dragging = input));
    input.addEventListener('pointerup', () => (dragging = null));
    const changed = () => {
      const value = parameter.choices ? Number(input.value) : sliderToValue(parameter, input);
      output.textContent = describe(parameter, value);
      queueParameters({ [parameter.name]: value });
    };
    input.addEventListener(parameter.choices ? 'change' : 'input', changed);
    row.append(label, output, input);
    inputs.set(parameter.name, input);
    return row;
  }

  // What each control can reach, read back through the same mapping the sliders use: the tests
  // check it against the model and the command line's flags.
  app.controlRanges = () => {
    const ranges = {};
    for (const parameter of model) {
      const input = inputs.get(parameter.name);
      if (!input) continue;
      if (parameter.choices) {
        ranges[parameter.name] = { choices: Array.from(input.options, (option) => option.text) };
        continue;
      }
      const saved = input.value;
      input.value = input.min;
      const minimum = sliderToValue(parameter, input);
      input.value = input.max;
      const maximum = sliderToValue(parameter, input);
      input.value = saved;
      ranges[parameter.name] = { minimum, maximum, scale: parameter.scale, disabled: input.disabled };
    }
    return ranges;
  };

  function showParameters(parameters) {
    if (!parameters) return;
    if (app.welcome) app.welcome.parameters = parameters;
    for (const parameter of model) {
      const input = inputs.get(parameter.name);
      let value = parameters[parameter.name];
      if (!input || value == null) continue;
      if (parameter.choices) value = Math.max(0, parameter.choices.indexOf(value));
      if (dragging !== input) input.value = String(parameter.choices ? value : valueToSlider(parameter, value));
      input.parentElement.querySelector('output').textContent = describe(parameter, value);
    }
    // Only the rows on the page: an archive lists a few of its sources at a time.
    const settings = parameters.sources || [];
    document.querySelectorAll('.source-row').forEach((row) => {
      const source = settings[Number(row.dataset.index)];
      if (!source) return;
      const slider = row.querySelector('input');
      if (dragging !== slider) slider.value = String(source.volume);
      const mute = row.querySelector('.mute');
      mute.setAttribute('aria-pressed', String(source.muted));
      mute.textContent = source.muted ? 'muted' : 'mute';
      row.classList.toggle('muted', source.muted);
    });
  }

  function queueParameters(update) {
    for (const [key, value] of Object.entries(update)) {
      if (key === 'sources') {
        pending.sources = pending.sources || [];
        for (const entry of value) {
          const existing = pending.sources.find((s) => s.index === entry.index);
          if (existing) Object.assign(existing, entry);
          else pending.sources.push({ ...entry });
        }
      } else {
        pending[key] = value;
      }
    }
    // A few updates a second is plenty for a slider; each takes effect the moment it arrives.
    if (!pendingTimer) {
      pendingTimer = setTimeout(() => {
        pendingTimer = null;
        send({ type: 'parameters', ...pending });
        pending = {};
      }, 40);
    }
  }

  // MARK: Presets

  function buildPresets(presets) {
    const select = $('preset-select');
    while (select.options.length > 1) select.remove(1);
    for (const preset of presets || []) {
      const option = new Option(preset.name, preset.name);
      option.title = preset.description;
      select.add(option);
    }
  }

  $('preset-select').addEventListener('change', (event) => {
    const name = event.target.value;
    if (name) send({ type: 'preset', action: 'load', name });
    event.target.value = '';
  });
  $('preset-reset').addEventListener('click', () => send({ type: 'preset', action: 'reset' }));
  $('preset-save').addEventListener('click', () => {
    const name = `scenophone-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-')}`;
    send({ type: 'preset', action: 'save', name });
  });
  $('preset-open').addEventListener('click', () => $('preset-file').click());
  $('preset-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    event.target.value = '';
    if (file) loadPresetText(await file.text(), file.name);
  });

  // The server checks a loaded preset and answers with the new sound, or an error naming the key.
  function loadPresetText(text, origin) {
    let preset;
    try {
      preset = JSON.parse(text);
    } catch (error) {
      toast(`${origin} is not a preset: ${error.message}`);
      return false;
    }
    send({ type: 'preset', action: 'load', preset });
    return true;
  }
  app.loadPresetText = loadPresetText;

  // The server sends the current sound as a preset; it is downloaded as a file.
  function savePresetFile(preset) {
    const text = JSON.stringify(preset, null, 2) + '\n';
    app.lastSavedPreset = text;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    link.download = `${preset.name || 'scenophone'}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  // The source list: every source for a corpus of a few; for an archive (more sources than the
  // server draws as lanes), a search by name, listing the matches or, without a search, the
  // sources drawn now. Any listed source can be pinned: drawn as a lane whatever its mass.
  let volumeRange = { minimum: 0, maximum: 4 };
  let pinned = [];
  const maximumPinned = 8;
  const listLimit = 40;

  // More sources than the server draws as lanes: it draws the heaviest and summarises the rest.
  function isArchive() {
    return !!app.welcome && app.welcome.overview.sources.length > app.welcome.overview.laneCapacity;
  }

  function buildSources(overview, range) {
    volumeRange = range;
    const archiveMode = isArchive();
    $('source-search-row').hidden = !archiveMode;
    $('sources').classList.toggle('archive', archiveMode);
    timeline.classList.toggle('archive', archiveMode);
    timeline.title = archiveMode ? 'Click a lane to pin or unpin its source, the strip to list the sources there' : '';
    $('timeline-hint').textContent = archiveMode
      ? 'p(t) where it is now, and over the whole corpus · dots are grains'
      : 'p(t) over each recording · dots are grains as they play';
    $('source-search').placeholder = `Search ${overview.sources.length.toLocaleString('en')} sources by name`;
    // A reconnection keeps this page's pins (the server forgot them with the old connection).
    pinned = pinned.filter((index) => index < overview.sources.length);
    if (pinned.length > 0) send({ type: 'pin', sources: pinned });
    if (archiveMode) showSourceList();
    else showSourceRows(overview.sources.map((_, index) => index));
  }

  // Folds case and accents, so "cafe" finds "café".
  const fold = (text) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  let foldedNames = null;

  function showSourceList() {
    const sources = app.welcome.overview.sources;
    const query = fold($('source-search').value.trim());
    const hint = $('sources-hint');
    if (!query) {
      const shown = pinned.concat(lanes.map((lane) => lane.source).filter((index) => !pinned.includes(index)));
      hint.textContent = 'Drawn now (pinned first). Search to find any other.';
      showSourceRows(shown);
      return;
    }
    if (!foldedNames || foldedNames.length !== sources.length) foldedNames = sources.map((source) => fold(source.name));
    const matches = [];
    for (let i = 0; i < foldedNames.length; i++) if (foldedNames[i].includes(query)) matches.push(i);
    hint.textContent = matches.length === 0 ? 'No source has that in its name.'
      : matches.length > listLimit ? `${matches.length.toLocaleString('en')} matches; the first ${listLimit} shown.`
      : `${matches.length} ${matches.length === 1 ? 'match' : 'matches'}.`;
    showSourceRows(matches.slice(0, listLimit));
  }
  $('source-search').addEventListener('input', () => showSourceList());
  app.searchSources = (text) => {
    $('source-search').value = text;
    showSourceList();
    return Array.from(document.querySelectorAll('.source-row .name'), (name) => name.textContent);
  };

  // The sources of one bucket of the strip: source s of S is in bucket ⌊s·B/S⌋ of B, so bucket b
  // holds sources ⌈b·S/B⌉ ..< ⌈(b+1)·S/B⌉.
  function showArchiveBucket(bucket) {
    const count = app.welcome.overview.sources.length;
    const first = Math.ceil((bucket * count) / archive.length);
    const end = Math.ceil(((bucket + 1) * count) / archive.length);
    $('source-search').value = '';
    const indices = [];
    for (let index = first; index < end && indices.length < listLimit; index++) indices.push(index);
    const mass = archive[bucket] / 1000 * (app.state ? app.state.archiveMax : 0);
    $('sources-hint').textContent = `Sources ${first + 1}–${end} of the corpus: ${percent(mass)} of p(t).`;
    showSourceRows(indices);
    return indices;
  }
  app.showArchiveBucket = showArchiveBucket;

  function setPinned(index, on) {
    if (on && !pinned.includes(index)) {
      if (pinned.length >= maximumPinned) {
        toast(`At most ${maximumPinned} sources can be pinned.`);
        return;
      }
      pinned.push(index);
    } else if (!on) {
      pinned = pinned.filter((other) => other !== index);
    }
    app.pinned = pinned.slice();
    send({ type: 'pin', sources: pinned });
    document.querySelectorAll(`.source-row[data-index="${index}"] .pin`).forEach((button) => showPin(button, on));
  }
  app.pin = setPinned;

  function showPin(button, on) {
    button.setAttribute('aria-pressed', String(on));
    button.textContent = on ? 'pinned' : 'pin';
  }

  function showSourceRows(indices) {
    const container = $('sources');
    const sources = app.welcome.overview.sources;
    const settings = app.welcome.parameters.sources || [];
    const archiveMode = isArchive();
    container.replaceChildren(...indices.map((index) => {
      const source = sources[index];
      const row = document.createElement('div');
      row.className = 'source-row';
      row.dataset.index = String(index);
      row.style.setProperty('--dot', colour(index));
      row.innerHTML = '<span class="dot"></span><span class="name"></span><span class="buttons"><button class="pin" type="button" aria-pressed="false">pin</button><button class="mute" type="button" aria-pressed="false">mute</button></span><input type="range">';
      row.querySelector('.name').textContent = source.name;
      row.querySelector('.name').title = source.name;
      const pin = row.querySelector('.pin');
      pin.hidden = !archiveMode;
      pin.title = 'Draw this source as a lane whatever its share of p(t)';
      showPin(pin, pinned.includes(index));
      pin.addEventListener('click', () => setPinned(index, pin.getAttribute('aria-pressed') !== 'true'));
      const slider = row.querySelector('input');
      slider.min = String(volumeRange.minimum);
      slider.max = String(volumeRange.maximum);
      slider.step = String((volumeRange.maximum - volumeRange.minimum) / 400);
      slider.setAttribute('aria-label', `Volume of ${source.name}`);
      slider.addEventListener('pointerdown', () => (dragging = slider));
      slider.addEventListener('pointerup', () => (dragging = null));
      slider.addEventListener('input', () => queueParameters({ sources: [{ index, volume: Number(slider.value) }] }));
      const mute = row.querySelector('.mute');
      mute.addEventListener('click', () => {
        const muted = mute.getAttribute('aria-pressed') !== 'true';
        queueParameters({ sources: [{ index, muted }] });
      });
      const setting = settings[index];
      if (setting) {
        slider.value = String(setting.volume);
        mute.setAttribute('aria-pressed', String(setting.muted));
        mute.textContent = setting.muted ? 'muted' : 'mute';
        row.classList.toggle('muted', setting.muted);
      }
      return row;
    }));
  }

  // MARK: Start

  // Teaching by example: "this camera frame sounds like ▸ source" stores the frame in the corpus.
  function buildTeachChoices(overview) {
    const select = $('teach-source');
    select.replaceChildren(...overview.sources.map((source, index) => {
      const option = document.createElement('option');
      option.value = String(index);
      option.textContent = source.name;
      return option;
    }));
  }

  $('teach').addEventListener('submit', (event) => {
    event.preventDefault();
    const source = Number($('teach-source').value);
    if (!Number.isInteger(source)) return;
    $('teach-button').disabled = true;
    $('teach-status').textContent = 'storing…';
    send({ type: 'teach', source });
  });

  function onTaught(message) {
    $('teach-button').disabled = false;
    if (app.welcome && message.ok) app.welcome.overview.frameCount = message.frameCount;
    $('teach-status').textContent = message.ok
      ? `taught as ${message.sourceName} (example ${message.example.slice(0, 8)})`
      : message.message;
  }

  let toastTimer = null;
  function toast(text) {
    const element = $('toast');
    element.textContent = text;
    element.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (element.hidden = true), 5000);
  }

  async function begin(asCamera, listen) {
    $('start').hidden = true;
    if (listen) await startListening().catch((error) => toast(`Sound could not start: ${error.message}`));
    if (asCamera) await becomeCamera();
  }

  // ?start=camera or ?start=watch skips the dialog (an installation's screen, or a test).
  const start = query.get('start');
  const listenAtStart = query.get('listen') === '1';
  if (start === 'camera' || start === 'watch') {
    wantListen = listenAtStart;
    connect();
    begin(start === 'camera', listenAtStart);
  } else {
    connect();
    $('start').hidden = false;
    $('start-camera').addEventListener('click', () => begin(true, $('start-listen').checked));
    $('start-watch').addEventListener('click', () => begin(false, $('start-listen').checked));
  }
  requestAnimationFrame(drawTimeline);
})();
