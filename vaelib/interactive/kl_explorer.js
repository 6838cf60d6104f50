// The KL explorer: q = N(mu, sigma^2) against p = N(0, 1), with the closed-form KL.
function init(root, data) {
  const muInput = root.querySelector('input[name="mu"]');
  const sigmaInput = root.querySelector('input[name="sigma"]');
  const svg = root.querySelector("svg.vf-plot");
  const show = function (key, text) { root.querySelector('[data-vf="' + key + '"]').textContent = text; };
  const W = 560, H = 230, LEFT = 56, RIGHT = 12, TOP = 12, BOTTOM = 36;
  const zLimit = data.zLimit;

  function density(z, mu, sigma) {
    const u = (z - mu) / sigma;
    return Math.exp(-0.5 * u * u) / (sigma * Math.sqrt(2 * Math.PI));
  }
  function niceStep(span) {
    const raw = span / 4, magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / magnitude;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
  }
  function draw(mu, sigma) {
    const peak = Math.max(density(0, 0, 1), density(mu, mu, sigma));
    const yStep = niceStep(peak * 1.05);
    const yMax = Math.ceil((peak * 1.05) / yStep) * yStep;
    const x = function (z) { return LEFT + ((z + zLimit) / (2 * zLimit)) * (W - LEFT - RIGHT); };
    const y = function (v) { return H - BOTTOM - (v / yMax) * (H - TOP - BOTTOM); };
    const path = function (m, s) {
      const n = 600, points = [];
      for (let i = 0; i <= n; i++) {
        const z = -zLimit + (2 * zLimit * i) / n;
        points.push(x(z).toFixed(2) + "," + y(density(z, m, s)).toFixed(2));
      }
      return "M" + points.join("L");
    };
    const parts = [];
    for (let v = 0; v <= yMax + 1e-9; v += yStep) {
      parts.push('<line class="vf-grid" x1="' + LEFT + '" x2="' + (W - RIGHT) + '" y1="' +
        y(v).toFixed(2) + '" y2="' + y(v).toFixed(2) + '"/>');
      parts.push('<text x="' + (LEFT - 6) + '" y="' + (y(v) + 4).toFixed(2) +
        '" text-anchor="end">' + +v.toFixed(3) + "</text>");
    }
    for (let z = -Math.floor(zLimit); z <= zLimit; z += 1) {
      parts.push('<line class="vf-axis" x1="' + x(z).toFixed(2) + '" x2="' + x(z).toFixed(2) +
        '" y1="' + (H - BOTTOM) + '" y2="' + (H - BOTTOM + 4) + '"/>');
      parts.push('<text x="' + x(z).toFixed(2) + '" y="' + (H - BOTTOM + 16) +
        '" text-anchor="middle">' + z + "</text>");
    }
    parts.push('<line class="vf-axis" x1="' + LEFT + '" x2="' + (W - RIGHT) + '" y1="' +
      (H - BOTTOM) + '" y2="' + (H - BOTTOM) + '"/>');
    parts.push('<text x="' + (W - RIGHT) + '" y="' + (H - 4) + '" text-anchor="end">z</text>');
    parts.push('<text text-anchor="middle" transform="translate(14 ' + (TOP + H - BOTTOM) / 2 +
      ') rotate(-90)">density</text>');
    parts.push('<path class="vf-curve-p" d="' + path(0, 1) + '"/>');
    parts.push('<path class="vf-curve-q" d="' + path(mu, sigma) + '"/>');
    const lx = W - RIGHT - 150;
    parts.push('<line class="vf-curve-q" x1="' + lx + '" x2="' + (lx + 24) + '" y1="20" y2="20"/>' +
      '<text x="' + (lx + 30) + '" y="24">q = N(μ, σ²)</text>');
    parts.push('<line class="vf-curve-p" x1="' + lx + '" x2="' + (lx + 24) + '" y1="38" y2="38"/>' +
      '<text x="' + (lx + 30) + '" y="42">p = N(0, 1)</text>');
    svg.innerHTML = parts.join("");
  }
  function update() {
    const mu = parseFloat(muInput.value), sigma = parseFloat(sigmaInput.value);
    const variance = sigma * sigma;
    const offset = 0.5 * mu * mu; // the offset part, ½μ²
    const sharpness = 0.5 * (variance - 1 - Math.log(variance)); // ½(σ² − 1 − log σ²)
    show("mu", mu.toFixed(2));
    show("sigma", sigma.toFixed(2));
    show("offset", offset.toFixed(3));
    show("sharpness", sharpness.toFixed(3));
    show("kl", (offset + sharpness).toFixed(3));
    muInput.setAttribute("aria-valuetext", "μ = " + mu.toFixed(2));
    sigmaInput.setAttribute("aria-valuetext", "σ = " + sigma.toFixed(2));
    draw(mu, sigma);
  }
  muInput.addEventListener("input", update);
  sigmaInput.addEventListener("input", update);
  update();
}
