/* The public dashboard's progressive enhancement. The pages work without it: every figure is
 * rendered on the server as a table. This script draws each figure as a chart (Chart.js,
 * vendored in vendor/chartjs/) from the public API itself — the URL in the figure's data-api
 * attribute — and turns the table into the chart's "Show as a table" alternative. It also adds
 * the copy buttons of the embed snippets. Requests to the API carry no cookies: the public
 * dashboard shows public data even to a logged-in curator. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("dashboard-config").textContent);
  var STATUS_KEYS = config.statuses.map(function (s) { return s.key; });
  var LABELS = {};
  var COLOURS = {};
  config.statuses.forEach(function (s) { LABELS[s.key] = s.label; COLOURS[s.key] = s.colour; });

  function getJSON(url) {
    return fetch(url, { credentials: "omit", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error("API " + response.status); }
      return response.json();
    });
  }

  function canvasFor(figure, description, tall) {
    var box = document.createElement("div");
    box.className = "chart-canvas" + (tall ? " tall" : "");
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", description + " " + config.text.tableFollows);
    box.appendChild(canvas);
    var caption = figure.querySelector("figcaption");
    figure.insertBefore(box, caption ? caption.nextSibling : figure.firstChild);
    return canvas;
  }

  function tableAsAlternative(figure) {
    var wrap = figure.querySelector(".table-wrap");
    if (!wrap || wrap.parentElement.tagName === "DETAILS") { return; }
    var details = document.createElement("details");
    details.className = "table-alt";
    var summary = document.createElement("summary");
    summary.textContent = config.text.showTable;
    details.appendChild(summary);
    wrap.parentElement.insertBefore(details, wrap);
    details.appendChild(wrap);
    var bar = figure.querySelector(":scope > .bar");
    if (bar) { bar.hidden = true; }
  }

  function baseOptions(extra) {
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom", labels: { boxWidth: 14 } } },
    };
    Object.keys(extra || {}).forEach(function (key) { options[key] = extra[key]; });
    return options;
  }

  function groupLabel(figure, group) {
    // The server's table holds each group's label in the page's language.
    var rows = figure.querySelectorAll("tbody tr[data-key]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-key") === (group.key || "")) {
        return rows[i].querySelector("th").textContent.trim();
      }
    }
    return group.label;
  }

  var draw = {
    status: function (figure, data) {
      var counts = data.overall.by_status;
      var keys = STATUS_KEYS.filter(function (key) { return counts[key]; });
      new window.Chart(canvasFor(figure, figure.querySelector("figcaption").textContent), {
        type: "doughnut",
        data: {
          labels: keys.map(function (key) { return LABELS[key]; }),
          datasets: [{ data: keys.map(function (key) { return counts[key]; }),
                       backgroundColor: keys.map(function (key) { return COLOURS[key]; }) }],
        },
        options: baseOptions({ plugins: { legend: { position: "right" } } }),
      });
    },
    groups: function (figure, data) {
      var groups = data.groups.slice(0, 15);
      new window.Chart(canvasFor(figure, figure.querySelector("figcaption").textContent, groups.length > 6), {
        type: "bar",
        data: {
          labels: groups.map(function (group) { return groupLabel(figure, group); }),
          datasets: STATUS_KEYS.map(function (key) {
            return { label: LABELS[key], backgroundColor: COLOURS[key],
                     data: groups.map(function (group) { return group.by_status[key]; }) };
          }),
        },
        options: baseOptions({ indexAxis: "y", scales: { x: { stacked: true }, y: { stacked: true,
          ticks: { callback: function (value) { var text = this.getLabelForValue(value);
            return text.length > 28 ? text.slice(0, 27) + "…" : text; } } } } }),
      });
    },
    timeline: function (figure, data) {
      new window.Chart(canvasFor(figure, figure.querySelector("figcaption").textContent, true), {
        type: "line",
        data: {
          labels: data.points.map(function (point) { return point.date; }),
          datasets: STATUS_KEYS.map(function (key) {
            return { label: LABELS[key], borderColor: COLOURS[key], backgroundColor: COLOURS[key],
                     fill: true, pointRadius: 0, data: data.points.map(function (point) { return point.by_status[key]; }) };
          }),
        },
        options: baseOptions({ scales: { y: { stacked: true, beginAtZero: true } } }),
      });
    },
  };

  function enhanceCharts() {
    if (!window.Chart || !window.fetch) { return; }
    document.querySelectorAll("figure.chart[data-api]").forEach(function (figure) {
      var kind = figure.getAttribute("data-chart");
      if (!draw[kind]) { return; }
      getJSON(figure.getAttribute("data-api")).then(function (data) {
        draw[kind](figure, data);
        if (kind !== "timeline") { tableAsAlternative(figure); }
        figure.setAttribute("data-drawn", "true");
      }).catch(function () {
        // The table stays: it is the figure without the chart.
        figure.setAttribute("data-drawn", "failed");
      });
    });
  }

  function enhanceCopyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field || !navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        field.select();
        navigator.clipboard.writeText(field.value).then(function () {
          button.textContent = config.text.copied;
        }, function () { /* selected: the visitor can copy by hand */ });
      });
    });
  }

  /* Downloads of the current view come from the API without the visitor's cookies (public rows
   * only, even for a logged-in curator), and an API refusal (a filter it does not accept, say) is shown
   * on the page in words, not saved as a file. A view larger than the API streams in one request
   * (its 400 "too_many_rows" names the export job's URL) is written by an export job: the script
   * starts it, shows its progress and saves the file when it is written. */
  var POLL_MS = 1500;

  function saveFrom(url, name) {
    var save = document.createElement("a");
    save.href = url;
    save.download = name || "";
    document.body.appendChild(save);
    save.click();
    save.remove();
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function enhanceDownloads() {
    var message = document.getElementById("export-message");
    var progress = document.getElementById("export-progress");
    if (!message) { return; }

    function refuse(reasons) {
      if (progress) { progress.hidden = true; }
      message.textContent = config.text.downloadRefused + (reasons ? " " + reasons : "");
      message.hidden = false;
    }

    function reasonsOf(data, status) {
      return [].concat(data.format || data.detail || data.non_field_errors || []).join(" ") || String(status);
    }

    function show(job) {
      progress.textContent = fill(config.text.exportProgress, {
        done: job.done.toLocaleString(document.documentElement.lang),
        total: job.total.toLocaleString(document.documentElement.lang),
      });
      progress.hidden = false;
    }

    function follow(job) {
      show(job);
      if (job.state === "succeeded" && job.download_url) {
        progress.textContent = config.text.exportReady;
        progress.setAttribute("data-state", "done");
        saveFrom(job.download_url);
        return;
      }
      if (job.state === "failed" || job.expired) {
        refuse(job.outcome);
        return;
      }
      setTimeout(function () {
        getJSON(job.url).then(follow, function (error) { refuse(error.message); });
      }, POLL_MS);
    }

    function startJob(url) {
      progress.textContent = config.text.exportStarting;
      progress.removeAttribute("data-state");
      progress.hidden = false;
      fetch(url, { method: "POST", credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            if (response.status !== 202) { refuse(reasonsOf(data, response.status)); return; }
            follow(data);
          });
        }, function () { refuse(""); });
    }

    document.querySelectorAll("a[data-export]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        message.hidden = true;
        if (progress) { progress.hidden = true; }
        fetch(link.href, { credentials: "omit" }).then(function (response) {
          if (response.ok) {
            var disposition = response.headers.get("Content-Disposition") || "";
            var name = (disposition.match(/filename="?([^";]+)"?/) || [])[1] || "recommendations";
            return response.blob().then(function (blob) {
              var url = URL.createObjectURL(blob);
              saveFrom(url, name);
              setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
            });
          }
          return response.json().catch(function () { return {}; }).then(function (data) {
            if (data.code === "too_many_rows" && data.export_job && progress) {
              startJob(data.export_job);
              return;
            }
            refuse(reasonsOf(data, response.status));
          });
        }, function () { refuse(""); });
      });
    });
  }

  function focusQuote() {
    var mark = document.getElementById("quote");
    if (mark && window.location.hash === "#quote") { mark.focus(); }
  }

  enhanceCharts();
  enhanceCopyButtons();
  enhanceDownloads();
  focusQuote();
})();
