// A process's page: per version, the diagram coloured as a heatmap of where its cases
// stand (ready, overdue, incidents, median wait per activity); clicking an activity lists
// its cases, with bulk actions (retry, release, reassign) confirmed by a dry run first.
"use strict";

const PROCESS_KEY = (() => {
  const parts = location.pathname.split("/").filter(Boolean);
  return parts.length > 2 ? decodeURIComponent(parts[2]) : null;
})();
let current = { version: null, activity: null, viewer: null, cases: [] };
let pending = null;

function versionPath(version) {
  return `/api/v1/definitions/${encodeURIComponent(PROCESS_KEY)}/versions/${version}`;
}

async function loadList() {
  $("process-list").hidden = false;
  const list = await api("/api/v1/definitions");
  fillTable($("processes"), list.items.map((d) => row([
    link(`/dashboard/processes/${encodeURIComponent(d.key)}`, d.name ? `${d.name} (${d.key})` : d.key),
    String(d.version), when(d.deployed_at)])));
}

function heat(figure, hottest) {
  const load = figure.ready + figure.incidents * 2 + figure.overdue;
  if (!load) return 0;
  return Math.min(4, 1 + Math.floor((load / hottest) * 3.999));
}

function badge(figure) {
  const box = el("div", null, "figures");
  box.dataset.activity = figure.activity_id;
  box.append(el("span", t("badge.ready", { n: figure.ready }), "f-ready"));
  if (figure.overdue) box.append(el("span", t("badge.overdue", { n: figure.overdue }), "f-overdue"));
  if (figure.incidents) {
    box.append(el("span", t("badge.incidents", { n: figure.incidents }), "f-incidents"));
  }
  if (figure.median_waiting_seconds != null) {
    box.append(el("span", t("badge.median", { wait: waited(figure.median_waiting_seconds) }),
                  "f-median"));
  }
  box.title = t("process.figures", figure) + (figure.median_waiting_seconds != null
    ? ` · ${t("process.median", { wait: waited(figure.median_waiting_seconds) })}` : "");
  box.addEventListener("click", () => loadCases(figure.activity_id).catch(showError));
  return box;
}

async function loadVersion(version) {
  current = { version, activity: null, viewer: null, cases: [] };
  const [diagram, stats] = await Promise.all([
    api(`${versionPath(version)}/diagram`), api(`${versionPath(version)}/activity-stats`)]);
  const viewer = await drawDiagram($("diagram"), diagram.xml);
  current.viewer = viewer;
  const hottest = Math.max(1, ...stats.activities.map((f) => f.ready + f.incidents * 2 + f.overdue));
  for (const figure of stats.activities) {
    const level = heat(figure, hottest);
    if (level) marker(viewer, figure.activity_id, `heat-${level}`);
    overlay(viewer, figure.activity_id, badge(figure), { top: -22, left: 0 });
  }
  if (viewer) {
    viewer.get("eventBus").on("element.click", (event) => {
      const type = event.element.type || "";
      const container = ["bpmn:Process", "bpmn:Collaboration", "bpmn:Participant", "bpmn:Lane"];
      if (!container.includes(type) && !type.endsWith("Flow") && type !== "label") {
        loadCases(event.element.id).catch(showError);
      }
    });
  }
  fillTable($("figures"), stats.activities.map((f) => {
    const name = link("#", f.activity_id);
    name.addEventListener("click", (event) => {
      event.preventDefault();
      loadCases(f.activity_id).catch(showError);
    });
    return row([name, String(f.ready), String(f.overdue), String(f.incidents),
                waited(f.median_waiting_seconds)]);
  }), t("process.none"));
  $("cases-title").textContent = t("process.pick");
  $("bulk").hidden = true;
  fillTable($("cases"), []);
}

async function loadCases(activityId) {
  if (drawn(current.viewer, current.activity)) {
    current.viewer.get("canvas").removeMarker(current.activity, "selected-activity");
  }
  current.activity = activityId;
  marker(current.viewer, activityId, "selected-activity");
  const page = await api(`${versionPath(current.version)}/activities/${encodeURIComponent(activityId)}/cases`);
  current.cases = page.items;
  $("cases-title").textContent = t("process.cases", { activity: activityId });
  $("bulk").hidden = page.items.length === 0;
  fillTable($("cases"), page.items.map((c) => {
    const box = el("input");
    box.type = "checkbox";
    box.className = "pick";
    box.disabled = c.kind !== "task";
    if (c.task_id) box.value = c.task_id;
    return row([box, caseLink(c.instance_id, c.business_key), c.kind, when(c.since),
                (c.groups || []).join(", "), c.assignee, c.message]);
  }), t("process.none"));
  return page;
}

function selectedTasks() {
  return [...$("cases").querySelectorAll("input.pick:checked")].map((box) => box.value);
}

function correctedData() {
  const text = $("bulk-data").value.trim();
  if (!text) return null;
  let data = null;
  try { data = JSON.parse(text); } catch { data = null; }
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error(t("action.bad_json"));
  return data;
}

function batchBody(operation) {
  const reason = $("bulk-reason").value.trim() || null;
  if (operation === "retry") {
    return { operation, process_key: PROCESS_KEY, version: current.version,
             activity_id: current.activity, reason, data: correctedData() };
  }
  const body = { operation, task_ids: selectedTasks(), reason };
  if (operation === "reassign") {
    body.groups = $("bulk-groups").value.split(",").map((g) => g.trim()).filter(Boolean);
  }
  return body;
}

// A dry run first: the confirmation says how many cases the batch concerns.
async function plan(operation) {
  try {
    const body = batchBody(operation);
    if (body.task_ids && !body.task_ids.length) throw new Error(t("bulk.nothing"));
    const planned = await post("/api/v1/batches", { ...body, dry_run: true });
    const cases = new Set(planned.items.filter((i) => i.status === "planned")
      .map((i) => i.instance_id)).size;
    if (!cases) { notice(t("bulk.nothing")); return; }
    pending = body;
    $("confirm-text").textContent = t("bulk.confirm", { operation, count: cases });
    $("confirm").hidden = false;
    showError(null);
  } catch (error) { showError(error); }
}

async function confirmBatch() {
  const body = pending;
  pending = null;
  $("confirm").hidden = true;
  if (!body) return;
  try {
    const report = await post("/api/v1/batches", body);
    $("bulk-summary").textContent = t("bulk.result", report);
    fillTable($("results"), report.items.map((item) => {
      const tr = row([item.instance_id ? caseLink(item.instance_id, item.business_key)
                                       : String(item.incident_id || item.task_id),
                      t(`status.${item.status}`), item.detail]);
      tr.className = item.status;
      tr.dataset.status = item.status;
      return tr;
    }));
    $("bulk-result").hidden = false;
    showError(null);
    const activity = current.activity;
    await loadVersion(current.version);
    await loadCases(activity);
  } catch (error) { showError(error); }
}

async function loadProcess() {
  $("process-key").textContent = PROCESS_KEY;
  $("process").hidden = false;
  const versions = await api(`/api/v1/definitions/${encodeURIComponent(PROCESS_KEY)}`);
  const wanted = Number(new URLSearchParams(location.search).get("version"));
  const select = $("version");
  select.replaceChildren(...versions.items.map((v) => {
    const option = el("option", `v${v.version}`);
    option.value = String(v.version);
    return option;
  }));
  const latest = versions.items[versions.items.length - 1].version;
  select.value = String(versions.items.some((v) => v.version === wanted) ? wanted : latest);
  await loadVersion(Number(select.value));
}

document.addEventListener("DOMContentLoaded", () => {
  $("version").addEventListener("change", async () => {
    try { await loadVersion(Number($("version").value)); showError(null); }
    catch (error) { showError(error); }
  });
  for (const operation of ["retry", "release", "reassign"]) {
    $(`bulk-${operation}`).addEventListener("click", () => plan(operation));
  }
  $("confirm-yes").addEventListener("click", confirmBatch);
  $("confirm-no").addEventListener("click", () => { pending = null; $("confirm").hidden = true; });
  startPage(PROCESS_KEY ? loadProcess : loadList);
});
