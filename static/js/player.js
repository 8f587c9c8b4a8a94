// The lecture player: chapters that seek, playback speed, the active chapter marked.
// Native <video controls> keep keyboard use and captions.
(function () {
  "use strict";
  const root = document.querySelector("[data-lecture-player]");
  if (!root) return;
  const video = root.querySelector("video");
  const chapters = Array.from(root.querySelectorAll("[data-seek]"));
  const rate = root.querySelector("[data-playback-rate]");

  chapters.forEach(function (button) {
    button.addEventListener("click", function () {
      video.currentTime = Number(button.dataset.seek);
      video.focus();
      if (video.paused) video.play().catch(function () {});
    });
  });

  if (rate) {
    rate.addEventListener("change", function () {
      video.playbackRate = Number(rate.value);
    });
  }

  function markChapter() {
    let current = null;
    chapters.forEach(function (button) {
      if (Number(button.dataset.seek) <= video.currentTime + 0.25) current = button;
    });
    chapters.forEach(function (button) {
      button.setAttribute("aria-current", button === current ? "true" : "false");
    });
  }
  video.addEventListener("timeupdate", markChapter);
  markChapter();
  window.lmsPlayer = { root: root, video: video };
})();
