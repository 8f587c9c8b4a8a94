// The lecture player: chapters that seek, playback speed, resume, and heartbeats that
// report the ranges actually played. The server decides what is credited.
// Native <video controls> keep keyboard use and captions.
(function () {
  "use strict";
  const root = document.querySelector("[data-lecture-player]");
  if (!root) return;
  const video = root.querySelector("video");
  const chapters = Array.from(root.querySelectorAll("[data-seek]"));
  const rate = root.querySelector("[data-playback-rate]");
  const watchedLabel = root.querySelector("[data-watched-label]");
  const heartbeatUrl = root.dataset.heartbeatUrl;
  const BEAT_MS = 10000;
  const JUMP = 1.5; // seconds between timeupdates beyond which we treat it as a seek

  const sessionId = (window.crypto && crypto.randomUUID)
    ? crypto.randomUUID()
    : String(Date.now()) + Math.random().toString(16).slice(2);
  let seq = 0;
  let ranges = []; // played since the last beat was sent
  // Sent and not yet answered, by seq: shown as pending, sent again if the beat fails.
  const inflight = {};
  // What the server has credited (its union, from each answer), and what it knew before
  // this page: the "Watched" label shows the credited union plus what is still pending,
  // so after the last answer it shows exactly what the server will credit, never more.
  let credited = [];
  let serverShare = Number(root.dataset.watchedShare || 0);
  let shownPercent = null;
  let segStart = null;
  let lastTime = 0;
  let timer = null;
  let lastSent = null; // the last beat's position, to send no empty beat twice

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function merge(list, start, end) {
    const out = [];
    list.concat([[start, end]]).sort(function (a, b) { return a[0] - b[0]; })
      .forEach(function (r) {
        const last = out[out.length - 1];
        if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
        else out.push([r[0], r[1]]);
      });
    return out;
  }

  function mergeAll(list, more) {
    return more.reduce(function (acc, r) { return merge(acc, r[0], r[1]); }, list.slice());
  }

  function closeSegment(end) {
    if (segStart !== null && end > segStart) ranges.push([segStart, end]);
    segStart = null;
  }

  function showWatched() {
    if (!watchedLabel) return;
    const duration = isFinite(video.duration) && video.duration > 0
      ? video.duration : Number(root.dataset.duration || 0);
    if (!duration) return;
    let union = mergeAll(credited, ranges);
    Object.keys(inflight).forEach(function (key) { union = mergeAll(union, inflight[key]); });
    if (segStart !== null && video.currentTime > segStart) {
      union = merge(union, segStart, video.currentTime);
    }
    const seconds = union.reduce(function (sum, r) { return sum + (r[1] - r[0]); }, 0);
    const share = Math.max(serverShare, Math.min(seconds / duration, 1));
    const percent = Math.floor(share * 100);
    if (percent === shownPercent) return;
    shownPercent = percent;
    watchedLabel.textContent = watchedLabel.textContent.replace(/\d+\s?%/, percent + " %");
    root.dataset.watched = String(percent);
  }

  function beat(final) {
    if (!heartbeatUrl) return;
    if (!video.paused) {
      closeSegment(video.currentTime);
      segStart = video.currentTime;
    }
    const position = video.currentTime || 0;
    if (!ranges.length && video.paused && lastSent === position) return; // nothing new
    lastSent = position;
    const mine = seq++;
    const sent = ranges;
    ranges = [];
    inflight[mine] = sent;
    const body = JSON.stringify({
      module_id: Number(root.dataset.module),
      step_id: root.dataset.step,
      session_id: sessionId,
      seq: mine,
      ranges: sent,
      position: position,
      duration: isFinite(video.duration) ? video.duration : null,
    });
    fetch(heartbeatUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!final, // delivered even as the page goes away (like sendBeacon, with CSRF)
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body,
    })
      .then(function (response) {
        if (response.ok) return response.json();
        // Refused (4xx): sending it again would not help. The server failed: try again.
        return response.status >= 500 ? { retry: true } : {};
      })
      .catch(function () { return { retry: true }; })
      .then(function (data) {
        delete inflight[mine];
        if (data.retry) {
          // Not recorded: these seconds go with the next beat (the server merges a late
          // range once, so nothing is dropped and nothing counted twice).
          ranges = sent.concat(ranges);
          if (video.paused || video.ended) lastSent = null; // let the next beat go
        } else if (data.watched_ranges) {
          credited = mergeAll(credited, data.watched_ranges);
          serverShare = Math.max(serverShare, data.watched_share);
          if (data.completed) root.dataset.completed = "true";
        }
        shownPercent = null;
        showWatched();
        root.dataset.beats = String(Number(root.dataset.beats || 0) + 1);
      });
  }

  video.addEventListener("play", function () {
    // `play` fires once playback has begun, a few milliseconds in: the segment starts
    // where the video stood (a whole viewing starts at 0, not at 0.005).
    const since = video.currentTime - lastTime;
    segStart = since >= 0 && since < 0.5 ? lastTime : video.currentTime;
    lastTime = video.currentTime;
    beat(false);
    clearInterval(timer);
    timer = setInterval(function () { beat(false); }, BEAT_MS);
  });
  video.addEventListener("timeupdate", function () {
    const now = video.currentTime;
    if (segStart !== null && (now < lastTime || now - lastTime > JUMP * Math.max(1, video.playbackRate))) {
      closeSegment(lastTime);
      segStart = now;
    }
    lastTime = now;
    showWatched();
  });
  video.addEventListener("seeking", function () { closeSegment(lastTime); });
  video.addEventListener("seeked", function () {
    lastTime = video.currentTime;
    if (!video.paused) segStart = video.currentTime;
  });
  // At the end the browser fires `pause` (already ended) and then `ended`: one final beat,
  // sent by `ended`, carries the last segment.
  video.addEventListener("pause", function () {
    clearInterval(timer);
    if (video.ended) return;
    closeSegment(video.currentTime);
    beat(false);
  });
  video.addEventListener("ended", function () {
    clearInterval(timer);
    closeSegment(video.currentTime);
    beat(true);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") beat(true);
  });
  window.addEventListener("pagehide", function () { beat(true); });

  // Resume where the learner stopped.
  const resumeAt = Number(root.dataset.position || 0);
  video.addEventListener("loadedmetadata", function () {
    if (resumeAt > 1 && resumeAt < video.duration - 2) {
      video.currentTime = resumeAt;
      lastTime = resumeAt;
    }
  }, { once: true });

  // A video in object storage comes by a signed link that expires (after the site's access
  // check); the browser keeps asking that link for the ranges it has not buffered yet, so
  // after a pause or a seek past what it holds the link may have expired: a network error.
  // Load the video again from the site (the access check again, a new link) and go on where
  // it stood. A few times per page at most: a refusal stays a refusal.
  // Whether the learner wants it playing: the browser reports a failed fetch as paused.
  let reloads = 0;
  let wantsToPlay = false;
  video.addEventListener("play", function () { wantsToPlay = true; });
  video.addEventListener("pause", function () { if (!video.error) wantsToPlay = false; });
  video.addEventListener("error", function () {
    if (!video.error || video.error.code !== video.error.MEDIA_ERR_NETWORK || reloads >= 3) {
      return;
    }
    reloads += 1;
    const at = video.currentTime;
    const playing = wantsToPlay;
    closeSegment(lastTime);
    video.addEventListener("loadedmetadata", function () {
      video.currentTime = at;
      lastTime = at;
      if (playing) video.play().catch(function () {});
    }, { once: true });
    video.load();
  });

  chapters.forEach(function (button) {
    button.addEventListener("click", function () {
      video.currentTime = Number(button.dataset.seek);
      video.focus();
      if (video.paused) video.play().catch(function () {});
    });
  });

  if (rate) {
    rate.addEventListener("change", function () { video.playbackRate = Number(rate.value); });
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
  window.lmsPlayer = { root: root, video: video, beat: beat };
})();
