// The latent explorer: the training codes on the plane, and the decoder run on the chosen z.
function init(root, data) {
  const dec = data.decoder, HIDDEN = dec.hidden, PIXELS = dec.pixels;
  const w1 = vfNumbers(dec.w1, "float32"), b1 = vfNumbers(dec.b1, "float32");
  const b2 = vfNumbers(dec.b2, "float32"), w2 = vfNumbers(dec.w2, dec.precision);
  if (dec.w2Scale) { // int8: one scale per row (output pixel)
    const scale = vfNumbers(dec.w2Scale, "float32");
    for (let i = 0; i < PIXELS; i++) {
      for (let j = 0; j < HIDDEN; j++) w2[i * HIDDEN + j] *= scale[i];
    }
  }
  const codes = vfNumbers(data.codes, "float16");
  const labels = data.labels ? vfNumbers(data.labels, "uint8") : null;
  const plane = root.querySelector("canvas.vf-plane");
  const pixels = root.querySelector("canvas.vf-pixels");
  const zOut = root.querySelector("output.vf-z");
  const SIZE = 360, LEFT = 44, TOP = 10, SIDE = SIZE - LEFT - 10; // the plot is a square
  const E = data.extent;
  const toX = function (z1) { return LEFT + ((z1 + E) / (2 * E)) * SIDE; };
  const toY = function (z2) { return TOP + ((E - z2) / (2 * E)) * SIDE; };
  let z = [0, 0], background = null, ratio = 1;

  // x = sigmoid(W2 relu(W1 z + b1) + b2), in float64, as ExportedDecoder.decode does.
  function decode(z1, z2) {
    const h = new Float64Array(HIDDEN), x = new Float64Array(PIXELS);
    for (let j = 0; j < HIDDEN; j++) {
      const v = w1[2 * j] * z1 + w1[2 * j + 1] * z2 + b1[j];
      h[j] = v > 0 ? v : 0;
    }
    for (let i = 0; i < PIXELS; i++) {
      let s = 0;
      const row = i * HIDDEN;
      for (let j = 0; j < HIDDEN; j++) s += w2[row + j] * h[j];
      x[i] = 1 / (1 + Math.exp(-(s + b2[i])));
    }
    return x;
  }

  function drawBackground() { // axes and codes, redrawn only when the theme changes
    ratio = window.devicePixelRatio || 1;
    plane.width = Math.round(SIZE * ratio);
    plane.height = Math.round(SIZE * ratio);
    background = document.createElement("canvas");
    background.width = plane.width;
    background.height = plane.height;
    const ctx = background.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.fillStyle = vfColour(root, "plane");
    ctx.fillRect(LEFT, TOP, SIDE, SIDE);
    ctx.strokeStyle = vfColour(root, "line");
    ctx.fillStyle = vfColour(root, "fg");
    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    for (let t = -Math.floor(E); t <= E; t += 1) {
      ctx.beginPath();
      ctx.moveTo(toX(t), TOP); ctx.lineTo(toX(t), TOP + SIDE);
      ctx.moveTo(LEFT, toY(t)); ctx.lineTo(LEFT + SIDE, toY(t));
      ctx.stroke();
      ctx.textAlign = "center"; ctx.fillText(String(t), toX(t), TOP + SIDE + 14);
      ctx.textAlign = "right"; ctx.fillText(String(t), LEFT - 5, toY(t) + 4);
    }
    ctx.textAlign = "center";
    ctx.fillText("z\u2081", LEFT + SIDE / 2, TOP + SIDE + 30);
    ctx.save(); ctx.translate(12, TOP + SIDE / 2); ctx.rotate(-Math.PI / 2);
    ctx.fillText("z\u2082", 0, 0); ctx.restore();
    ctx.beginPath(); ctx.rect(LEFT, TOP, SIDE, SIDE); ctx.clip(); // codes outside stay out
    ctx.globalAlpha = 0.6;
    for (let k = 0; k < codes.length / 2; k++) {
      ctx.fillStyle = labels ? data.colours[labels[k]] : vfColour(root, "accent");
      ctx.fillRect(toX(codes[2 * k]) - 1.25, toY(codes[2 * k + 1]) - 1.25, 2.5, 2.5);
    }
  }

  function drawPlane() {
    const ctx = plane.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, plane.width, plane.height);
    ctx.drawImage(background, 0, 0);
    ctx.scale(ratio, ratio);
    const x = toX(z[0]), y = toY(z[1]);
    ctx.lineWidth = 4; ctx.strokeStyle = vfColour(root, "bg");
    ctx.beginPath(); ctx.arc(x, y, 7, 0, 2 * Math.PI); ctx.stroke();
    ctx.lineWidth = 2; ctx.strokeStyle = vfColour(root, "fg");
    ctx.beginPath(); ctx.arc(x, y, 7, 0, 2 * Math.PI);
    ctx.moveTo(x - 12, y); ctx.lineTo(x - 4, y); ctx.moveTo(x + 4, y); ctx.lineTo(x + 12, y);
    ctx.moveTo(x, y - 12); ctx.lineTo(x, y - 4); ctx.moveTo(x, y + 4); ctx.lineTo(x, y + 12);
    ctx.stroke();
  }

  function drawImage(x) { // grey level round(255 x), white strokes on black as in the book
    const ctx = pixels.getContext("2d");
    const image = ctx.createImageData(data.imageSize[1], data.imageSize[0]);
    for (let p = 0; p < PIXELS; p++) {
      const grey = Math.round(255 * x[p]);
      image.data[4 * p] = image.data[4 * p + 1] = image.data[4 * p + 2] = grey;
      image.data[4 * p + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }

  const fmt = function (v) { return (Math.abs(v) < 0.005 ? 0 : v).toFixed(2); };
  function setZ(z1, z2) {
    z = [Math.min(E, Math.max(-E, z1)), Math.min(E, Math.max(-E, z2))];
    zOut.textContent = "z = (" + fmt(z[0]) + ", " + fmt(z[1]) + ")";
    root.dataset.z = z[0] + "," + z[1];
    drawPlane();
    drawImage(decode(z[0], z[1]));
  }
  function fromPointer(event) {
    const box = plane.getBoundingClientRect();
    const cx = ((event.clientX - box.left) * SIZE) / box.width;
    const cy = ((event.clientY - box.top) * SIZE) / box.height;
    setZ(-E + ((cx - LEFT) / SIDE) * 2 * E, E - ((cy - TOP) / SIDE) * 2 * E);
  }
  plane.addEventListener("pointermove", fromPointer);
  plane.addEventListener("pointerdown", function (event) {
    if (plane.setPointerCapture) plane.setPointerCapture(event.pointerId);
    fromPointer(event);
  });
  plane.addEventListener("keydown", function (event) {
    const step = data.keyStep * (event.shiftKey ? 5 : 1);
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step],
      ArrowDown: [0, -step] };
    if (event.key === "Home") setZ(0, 0);
    else if (moves[event.key]) setZ(z[0] + moves[event.key][0], z[1] + moves[event.key][1]);
    else return;
    event.preventDefault();
  });
  vfOnThemeChange(function () { drawBackground(); drawPlane(); });
  drawBackground();
  setZ(0, 0);
}
