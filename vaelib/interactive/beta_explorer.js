// The beta explorer: the slider picks one model of the sweep; the page switches its pictures.
function init(root, data) {
  const slider = root.querySelector('input[name="beta"]');
  const points = root.querySelectorAll("circle.vf-point");
  const field = function (key) { return root.querySelector('[data-vf="' + key + '"]'); };
  function update() {
    const i = parseInt(slider.value, 10), state = data.states[i];
    field("beta").textContent = state.beta;
    slider.setAttribute("aria-valuetext", "β = " + state.beta);
    field("samples").src = state.samples;
    field("reconstructions").src = state.reconstructions;
    field("active").textContent = state.active;
    field("rate").textContent = state.rate;
    field("distortion").textContent = state.distortion;
    points.forEach(function (point) {
      const chosen = parseInt(point.dataset.index, 10) === i;
      point.classList.toggle("vf-selected", chosen);
      point.setAttribute("r", chosen ? 7 : 4);
      if (chosen) point.parentNode.appendChild(point); // draw the chosen point on top
    });
  }
  slider.addEventListener("input", update);
  update();
}
