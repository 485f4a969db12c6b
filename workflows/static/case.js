// A case's page: where it stands on its diagram, its incidents and tasks, the actions a
// coordinator may take, its history, data and who read it. Values are written as text.
"use strict";

const INSTANCE_ID = decodeURIComponent(location.pathname.split("/").pop());
const BASE = `/api/v1/instances/${encodeURIComponent(INSTANCE_ID)}`;
let migrationPlanned = null;

async function act(work) {
  try {
    await work();
    notice(t("action.done"));
    showError(null);
    await loadCase();
  } catch (error) { notice(null); showError(error); }
}

function retryForm(incident) {
  const data = el("textarea");
  data.rows = 2;
  data.placeholder = '{"decision": "accept"}';
  data.className = "corrected-data";
  const reason = el("input");
  reason.className = "retry-reason";
  reason.maxLength = 2000;
  const button = el("button", t("action.retry"), "retry");
  button.type = "button";
  button.addEventListener("click", () => act(async () => {
    let corrected = {};
    if (data.value.trim()) {
      try { corrected = JSON.parse(data.value); } catch { corrected = null; }
      if (!corrected || typeof corrected !== "object" || Array.isArray(corrected)) {
        throw new Error(t("action.bad_json"));
      }
    }
    await post(`/api/v1/incidents/${incident.id}/retry`,
               { data: corrected, reason: reason.value.trim() || null });
  }));
  return el("div", null, "incident", [
    el("p", `#${incident.id} · ${incident.activity_id || ""} · ${when(incident.opened_at)}`, "meta"),
    el("p", incident.message, "message"),
    el("label", null, null, [el("span", t("action.corrected_data")), data]),
    el("label", null, null, [el("span", t("action.reason")), reason]),
    button,
  ]);
}

function taskActions(task) {
  const box = el("div", null, "task-actions");
  if (task.assignee) {
    const release = el("button", t("action.release"), "release");
    release.type = "button";
    release.addEventListener("click", () => act(() =>
      post(`/api/v1/tasks/${encodeURIComponent(task.id)}/release`, {})));
    box.appendChild(release);
  }
  const groups = el("input");
  groups.className = "groups";
  groups.placeholder = t("action.groups");
  const reason = el("input");
  reason.className = "reason";
  reason.placeholder = t("action.reason");
  const reassign = el("button", t("action.reassign"), "reassign");
  reassign.type = "button";
  reassign.addEventListener("click", () => act(() =>
    post(`/api/v1/tasks/${encodeURIComponent(task.id)}/reassign`, {
      groups: groups.value.split(",").map((g) => g.trim()).filter(Boolean),
      reason: reason.value.trim(),
    })));
  box.append(groups, reason, reassign);
  return box;
}

async function drawPosition(position) {
  const diagram = await api(position.diagram_link);
  const viewer = await drawDiagram($("diagram"), diagram.xml);
  for (const waiting of position.waiting_at) marker(viewer, waiting.activity_id, "ciiflow-active");
  for (const incident of position.incidents) {
    marker(viewer, incident.activity_id, "ciiflow-incident");
    overlay(viewer, incident.activity_id, el("div", incident.message, "incident-overlay"),
            { bottom: 10, left: 0 });
  }
}

async function loadVersions(processKey, version) {
  const versions = await api(`/api/v1/definitions/${encodeURIComponent(processKey)}`);
  const select = $("migrate-version");
  select.replaceChildren(...versions.items.filter((v) => v.version !== version).map((v) => {
    const option = el("option", `${v.version}`);
    option.value = String(v.version);
    return option;
  }));
}

async function loadCase() {
  const [detail, position] = await Promise.all([api(BASE), api(`${BASE}/position`)]);
  $("case-key").textContent = detail.business_key || detail.id;
  $("case-status").textContent = detail.status;
  $("case-business-key").textContent = detail.business_key || "";
  $("case-process").replaceChildren(link(
    `/dashboard/processes/${encodeURIComponent(position.process_key)}?version=${position.version}`,
    `${position.process_key} v${position.version}`));
  $("case-started").textContent = when(detail.started_at);
  $("case-waiting").textContent = position.waiting_at
    .map((w) => (w.name ? `${w.name} (${w.activity_id})` : w.activity_id)).join(", ");
  document.title = `ciiflow · ${detail.business_key || detail.id}`;
  $("incidents").replaceChildren(...(position.incidents.length
    ? position.incidents.map(retryForm) : [el("p", t("case.no_incident"), "empty")]));
  fillTable($("tasks"), (detail.open_tasks || []).map((task) => row([
    task.name ? `${task.name} (${task.activity_id})` : task.activity_id,
    (task.candidate_groups || []).join(", "), task.assignee, when(task.ready_at),
    when(task.due_at), taskActions(task)])), t("case.no_task"));
  fillTable($("data"), Object.entries(detail.data || {}).map(([name, value]) =>
    row([name, typeof value === "string" ? value : JSON.stringify(value)])), t("case.none"));
  await Promise.all([drawPosition(position), loadHistory(), loadAccessLog(),
                     loadVersions(position.process_key, position.version)]);
  migrationPlanned = null;
  $("migrate-run").disabled = true;
}

async function loadHistory() {
  const page = await api(`${BASE}/history?limit=500`);
  fillTable($("history"), page.items.map((h) => row([
    when(h.at), h.kind, h.activity_name || h.activity_id, h.actor])), t("case.none"));
}

async function loadAccessLog() {
  const page = await api(`${BASE}/access-log?limit=100`);
  fillTable($("access-log"), page.items.map((r) => row([
    when(r.at), r.principal, r.role, r.what])), t("case.none"));
}

function migration(dryRun) {
  const detail = { instance_ids: [INSTANCE_ID], to_version: Number($("migrate-version").value),
                   dry_run: dryRun };
  const [key, version] = $("case-process").textContent.split(" v");
  return post("/api/v1/migrations", { ...detail, process_key: key,
                                      from_version: Number(version) });
}

function planSummary(report) {
  const plan = (report.cases || [])[0];
  if (!plan) return "";
  const moved = plan.migrated ? t("migrate.migrated") : plan.can_move ? t("migrate.can_move")
                                                                      : t("migrate.cannot_move");
  const tasks = [...(plan.kept || []).map((k) => `${k.from} → ${k.to}`),
                 ...(plan.cancelled || []).map((c) => `✕ ${c.activity_id}`)];
  return [moved, ...(plan.reasons || []), ...tasks].join(" · ");
}

function startActions() {
  for (const action of ["suspend", "resume", "terminate"]) {
    $(action).addEventListener("click", () => act(() =>
      post(`${BASE}/${action}`, { reason: $("status-reason").value.trim() })));
  }
  $("migrate-dry-run").addEventListener("click", async () => {
    try {
      const report = await migration(true);
      migrationPlanned = $("migrate-version").value;
      $("migrate-plan").textContent = t("migrate.plan", { summary: planSummary(report) });
      $("migrate-run").disabled = false;
      showError(null);
    } catch (error) { showError(error); }
  });
  $("migrate-run").addEventListener("click", () => {
    if (migrationPlanned !== $("migrate-version").value) {
      $("migrate-plan").textContent = t("migrate.first");
      return;
    }
    act(async () => {
      const report = await migration(false);
      $("migrate-plan").textContent = planSummary(report);
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  startActions();
  startPage(loadCase);
});
