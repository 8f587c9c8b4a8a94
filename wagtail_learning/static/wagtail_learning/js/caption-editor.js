// The caption editor: "Play" starts the video at a cue, and the cue being shown is marked.
(function () {
  const root = document.querySelector("[data-caption-editor]");
  if (!root) return;
  const video = root.querySelector("[data-caption-editor-video]");
  const cues = Array.from(root.querySelectorAll("[data-cue-start]"));
  root.addEventListener("click", function (event) {
    const button = event.target.closest("[data-play-from]");
    if (!button || !video) return;
    video.currentTime = Number(button.dataset.playFrom);
    video.play();
  });
  if (!video) return;
  video.addEventListener("timeupdate", function () {
    let current = null;
    for (const cue of cues) {
      if (Number(cue.dataset.cueStart) <= video.currentTime + 0.05) current = cue;
    }
    for (const cue of cues) cue.classList.toggle("caption-cue-current", cue === current);
  });
})();
