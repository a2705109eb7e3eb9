// The SET rotation site: works out who is on SET from the embedded schedule and the device's
// clock, shows times in the rotation's zone or the viewer's, and follows one person.
// No request leaves the page: everything it reads is in the page itself.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("set-data").textContent);
  var rotationZone = data.rotation.timezone;
  var viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  var state = { zone: "rotation", person: "" };
  var formats = {};

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function formatter(kind, zone) {
    var key = kind + "|" + zone;
    if (!formats[key]) {
      var options = { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
      if (kind === "dt") {
        options.weekday = "short"; options.day = "numeric"; options.month = "short"; options.year = "numeric";
      }
      formats[key] = new Intl.DateTimeFormat("en-GB", options);
    }
    return formats[key];
  }

  function shownZone() { return state.zone === "viewer" ? viewerZone : rotationZone; }

  function format(ms, kind, zone) { return formatter(kind, zone || shownZone()).format(new Date(ms)); }

  function timeTag(seconds, kind) {
    var ms = seconds * 1000;
    var iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    return '<time datetime="' + iso + '" data-f="' + (kind || "dt") + '">' + esc(format(ms, kind || "dt")) + "</time>";
  }

  // The wall clock in `zone` at instant `ms`: {y, m, d, h, mi, wd (0 = Monday)}.
  var WEEKDAYS = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
  function wall(ms, zone) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", weekday: "short"
    }).formatToParts(new Date(ms)).forEach(function (p) { parts[p.type] = p.value; });
    return { y: +parts.year, m: +parts.month, d: +parts.day, h: +parts.hour % 24, mi: +parts.minute, wd: WEEKDAYS[parts.weekday] };
  }

  function wallAsUtc(w) { return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi); }

  // The instant when it is y-m-d h:mi in `zone` (a skipped time moves forward).
  function instant(y, m, d, h, mi, zone) {
    var guess = Date.UTC(y, m - 1, d, h, mi);
    var first = guess - (wallAsUtc(wall(guess, zone)) - Math.floor(guess / 60000) * 60000);
    var second = guess - (wallAsUtc(wall(first, zone)) - Math.floor(first / 60000) * 60000);
    return Math.min(first, second);
  }

  function minutes(clock) { var p = clock.split(":"); return +p[0] * 60 + +p[1]; }

  var DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
  function shiftActive(shift, ms) {
    var w = wall(ms, shift.timezone);
    var start = minutes(shift.start), end = minutes(shift.end), now = w.h * 60 + w.mi;
    var inside, day;
    if (start < end) { inside = start <= now && now < end; day = w.wd; }
    else { inside = start === end || now >= start || now < end; day = now >= start ? w.wd : (w.wd + 6) % 7; }
    return inside && (!shift.days || shift.days.indexOf(DAY_NAMES[day]) >= 0);
  }

  function holder(role, shift, seconds) {
    for (var i = 0; i < data.slots.length; i++) {
      var s = data.slots[i];
      if (s[0] === role && s[1] === shift && s[3] <= seconds && seconds < s[4]) return s;
    }
    return null;
  }

  function cycleAt(seconds) {
    for (var i = 0; i < data.cycles.length; i++) {
      if (data.cycles[i][0] <= seconds && seconds < data.cycles[i][1]) return data.cycles[i];
    }
    return null;
  }

  function who(slot) {
    if (!slot) return '<span class="nobody">nobody</span>';
    var p = data.people[slot[2]];
    var text = esc(p.name) + ' <span class="team">(' + esc(p.team) + ")</span>";
    if (slot[5]) text += ' <span class="tag" title="override ' + esc(slot[5]) + '">override</span>';
    return text;
  }

  function hours(shift, ms) {
    var w = wall(ms, shift.timezone);
    var s = shift.start.split(":"), e = shift.end.split(":");
    var start = instant(w.y, w.m, w.d, +s[0], +s[1], shift.timezone);
    var endDay = minutes(shift.end) > minutes(shift.start) ? w.d : w.d + 1;
    var end = instant(w.y, w.m, endDay, +e[0], +e[1], shift.timezone);
    var span = function (zone) { return format(start, "t", zone) + "–" + format(end, "t", zone); };
    var lines = ['<li class="rotation-hours">' + span(rotationZone) + " " + esc(rotationZone) + " (the rotation's zone)</li>"];
    if (shift.timezone !== rotationZone) {
      lines.push("<li>" + esc(shift.start) + "–" + esc(shift.end) + " " + esc(shift.timezone) + " (the shift's own)</li>");
    }
    if (shift.days) lines.push("<li>" + esc(shift.days.join(", ")) + " only</li>");
    lines.push('<li class="viewer-hours">' + span(viewerZone) + " " + esc(viewerZone) + " (your zone)</li>");
    return '<ul class="hours" aria-label="Hours">' + lines.join("") + "</ul>";
  }

  function renderNow(ms) {
    var seconds = Math.floor(ms / 1000);
    var cycle = cycleAt(seconds);
    var body = document.getElementById("now-body");
    if (!cycle) {
      body.innerHTML = '<p class="asof">At ' + timeTag(seconds) + " no cycle of the rotation runs: nobody is on SET.</p>";
      return;
    }
    var html = '<p class="asof">At ' + timeTag(seconds) + ". This cycle runs from " + timeTag(cycle[0]) + " to " + timeTag(cycle[1]) + ".</p>";
    html += '<div class="cards"><article class="card" aria-labelledby="card-lead"><h3 id="card-lead">Lead</h3>';
    html += '<p class="who" data-role="lead">' + who(holder("lead", null, seconds)) + "</p></article>";
    data.shifts.forEach(function (shift) {
      var on = shiftActive(shift, ms);
      var name = esc(shift.name);
      html += '<article class="card" data-shift="' + name + '" aria-labelledby="card-' + name + '">';
      html += '<h3 id="card-' + name + '">Shift ' + name + " " + (on ? '<span class="badge on">on now</span>' : '<span class="badge off">off hours</span>') + "</h3>";
      html += hours(shift, ms) + "<dl>";
      html += '<div><dt>Primary</dt><dd data-role="primary">' + who(holder("primary", shift.name, seconds)) + "</dd></div>";
      html += '<div><dt>Backup</dt><dd data-role="backup">' + who(holder("backup", shift.name, seconds)) + "</dd></div>";
      html += "</dl></article>";
    });
    body.innerHTML = html + "</div>";
  }

  function roleLabel(slot) { return slot[1] ? slot[0] + " " + slot[1] : slot[0]; }

  function turns(person, seconds) {
    return data.slots.filter(function (s) { return s[2] === person && s[4] > seconds; })
      .sort(function (a, b) { return a[3] - b[3]; });
  }

  function turnText(slot, seconds) {
    if (!slot) return "none planned";
    var label = slot[3] <= seconds ? "now" : "next";
    return label + ": " + esc(roleLabel(slot)) + ", " + timeTag(slot[3]) + " to " + timeTag(slot[4]);
  }

  function renderNextTurns(seconds) {
    document.querySelectorAll("table.people tbody tr").forEach(function (row) {
      row.querySelector(".next").innerHTML = turnText(turns(row.dataset.person, seconds)[0], seconds);
      row.classList.toggle("picked", row.dataset.person === state.person);
    });
  }

  function renderPerson(seconds) {
    var panel = document.getElementById("person-panel");
    var id = state.person, p = data.people[id];
    document.querySelectorAll(".bar[data-person]").forEach(function (bar) {
      bar.classList.toggle("picked", !!p && bar.dataset.person === id);
      bar.classList.toggle("quiet", !!p && bar.dataset.person !== id);
    });
    if (!p) { panel.innerHTML = ""; return; }
    var upcoming = turns(id, seconds);
    var next = upcoming[0];
    var html = "<h3>" + esc(p.name) + ' <span class="team">(' + esc(p.team) + ", " + esc(p.timezone) + ")</span></h3>";
    if (!next) html += "<p>No turn on SET planned in the configured cycles.</p>";
    else if (next[3] <= seconds) html += "<p><strong>On SET now</strong> as " + esc(roleLabel(next)) + " until " + timeTag(next[4]) + ".</p>";
    else {
      var days = Math.ceil((next[3] - seconds) / 86400);
      html += "<p><strong>Your next turn</strong>: " + esc(roleLabel(next)) + " from " + timeTag(next[3]) + " to " + timeTag(next[4]) + " (in " + days + (days === 1 ? " day" : " days") + ").</p>";
    }
    if (upcoming.length > 1) {
      html += "<p>After that: " + upcoming.slice(1, 6).map(function (s) { return esc(roleLabel(s)) + " from " + timeTag(s[3]); }).join("; ") + ".</p>";
    }
    html += '<p><a href="feeds/people/' + encodeURIComponent(id) + '.ics">Subscribe to ' + esc(p.name) + "'s calendar feed (ICS)</a></p>";
    panel.innerHTML = html;
  }

  function markToday(ms) {
    var w = wall(ms, rotationZone);
    var today = w.y + "-" + String(w.m).padStart(2, "0") + "-" + String(w.d).padStart(2, "0");
    document.querySelectorAll(".days .today").forEach(function (el) { el.classList.remove("today"); });
    document.querySelectorAll(".week h3[aria-current]").forEach(function (el) { el.removeAttribute("aria-current"); });
    document.querySelectorAll(".now-line").forEach(function (el) { el.remove(); });
    var cell = document.querySelector('.days [data-day="' + today + '"]');
    if (!cell) return;
    cell.classList.add("today");
    var week = cell.closest(".week");
    week.querySelector("h3").setAttribute("aria-current", "date");
    var monday = Date.UTC.apply(null, week.dataset.monday.split("-").map(function (v, i) { return i === 1 ? v - 1 : +v; }));
    var line = document.createElement("div");
    line.className = "now-line";
    line.setAttribute("aria-hidden", "true");
    line.style.setProperty("--at", String((wallAsUtc(w) - monday) / (7 * 86400000)));
    week.querySelector(".grid").appendChild(line);
    document.getElementById("jump-today").setAttribute("href", "#" + week.id);
  }

  function reformatTimes() {
    document.querySelectorAll("time[data-f]").forEach(function (el) {
      el.textContent = format(Date.parse(el.getAttribute("datetime")), el.dataset.f);
    });
  }

  function update() {
    var ms = Date.now(), seconds = Math.floor(ms / 1000);
    renderNow(ms);
    renderNextTurns(seconds);
    renderPerson(seconds);
    markToday(ms);
    reformatTimes();
  }

  function remember(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* storage off */ } }
  function recall(key) { try { return localStorage.getItem(key) || ""; } catch (e) { return ""; } }

  function start() {
    var controls = document.getElementById("controls");
    var select = document.getElementById("person");
    document.getElementById("viewer-zone").textContent = viewerZone + " (your zone)";
    var asked = new URLSearchParams(location.search).get("person") || recall("setops-person");
    if (asked && data.people[asked]) state.person = asked;
    if (recall("setops-zone") === "viewer") state.zone = "viewer";
    select.value = state.person;
    controls.querySelector('input[value="' + state.zone + '"]').checked = true;
    controls.addEventListener("submit", function (event) { event.preventDefault(); });
    controls.addEventListener("change", function (event) {
      if (event.target.name === "zone") { state.zone = event.target.value; remember("setops-zone", state.zone); }
      if (event.target === select) { state.person = select.value; remember("setops-person", state.person); }
      update();
    });
    controls.hidden = false;
    update();
    setInterval(update, 60000);
  }

  start();
})();
