// The coordinators' dashboard: reads the public API with the coordinator's token.
// Every value from the server is written with textContent, never as HTML; every string of
// the page is in the catalog of i18n.js (I18N.t), in the language of the page.
"use strict";

const TOKEN_KEY = "ciiflow.token";
const $ = (id) => document.getElementById(id);

function token() { return sessionStorage.getItem(TOKEN_KEY); }

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Authorization": `Bearer ${token()}`, "Accept": "application/json",
               "Accept-Language": I18N.language,
               ...(options.body ? { "Content-Type": "application/json" } : {}) },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.detail || body.title || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  td.textContent = text == null ? "" : String(text);
  row.appendChild(td);
  return td;
}

function named(name, id) {
  if (!id) return "";
  return name ? `${name} (${id})` : id;
}

// The element as drawn; a called process's wait on a second line under its call activity.
function activityCell(row, item) {
  const td = cell(row, named(item.activity_name, item.activity), "activity");
  if (item.child) {
    const child = document.createElement("div");
    child.className = "child";
    child.textContent = `↳ ${item.child.process_key}: ${named(item.child.activity_name,
                                                              item.child.activity_id)}`;
    td.appendChild(child);
  }
}

function waitedFor(seconds) {
  const days = seconds / 86400;
  return days >= 1 ? I18N.t("wait.days", { n: Math.floor(days) })
    : I18N.t("wait.hours", { n: Math.round(seconds / 3600) });
}

function showError(error) {
  const el = $("error");
  el.hidden = !error;
  el.textContent = error ? error.message : "";
  if (error && error.status === 401) signOut();
}

async function loadStuck() {
  const query = new URLSearchParams({ older_than: $("older_than").value, limit: "500" });
  for (const name of ["reason", "group", "activity", "institution", "process"]) {
    if ($(name).value.trim()) query.set(name, $(name).value.trim());
  }
  const page = await api(`/api/v1/stuck?${query}`);
  const tbody = $("stuck").querySelector("tbody");
  tbody.replaceChildren();
  const counts = {};
  for (const item of page.items) {
    counts[item.reason] = (counts[item.reason] || 0) + 1;
    const tr = document.createElement("tr");
    tr.dataset.reason = item.reason;
    const reason = cell(tr, "", "reason");
    const badge = document.createElement("span");
    badge.className = item.reason;
    badge.textContent = I18N.t(`reason.${item.reason}`);
    reason.appendChild(badge);
    cell(tr, item.business_key || item.instance_id);
    cell(tr, item.process_key);
    activityCell(tr, item);
    cell(tr, (item.groups || []).join(", "));
    cell(tr, new Date(item.since).toISOString().slice(0, 16).replace("T", " "));
    cell(tr, waitedFor(item.waiting_seconds));
    cell(tr, item.message, "why");
    // the case's page (the API link would open a 401: the browser sends no token)
    const link = document.createElement("a");
    link.href = `/dashboard/cases/${encodeURIComponent(item.instance_id)}`;
    link.textContent = I18N.t("board.case");
    cell(tr, "").appendChild(link);
    tbody.appendChild(tr);
  }
  const summary = $("summary");
  summary.replaceChildren();
  const total = document.createElement("span");
  total.textContent = I18N.t("board.total", { n: `${page.items.length}${page.has_more ? "+" : ""}` });
  summary.appendChild(total);
  for (const [reason, n] of Object.entries(counts)) {
    const span = document.createElement("span");
    span.textContent = `${I18N.t(`reason.${reason}`)}: ${n}`;
    summary.appendChild(span);
  }
}

async function loadIncidents() {
  const page = await api("/api/v1/incidents?status=open&limit=200");
  const tbody = $("incidents").querySelector("tbody");
  tbody.replaceChildren();
  for (const incident of page.items) {
    const tr = document.createElement("tr");
    cell(tr, incident.id);
    const instance = document.createElement("a");
    instance.href = `/dashboard/cases/${encodeURIComponent(incident.instance_id)}`;
    instance.textContent = incident.instance_id;
    cell(tr, "").appendChild(instance);
    cell(tr, incident.activity_id);
    cell(tr, new Date(incident.opened_at).toISOString().slice(0, 16).replace("T", " "));
    cell(tr, incident.message);
    const retry = document.createElement("button");
    retry.textContent = I18N.t("action.retry");
    retry.addEventListener("click", async () => {
      try {
        await api(`/api/v1/incidents/${incident.id}/retry`, { method: "POST", body: "{}" });
        await refresh();
      } catch (error) { showError(error); }
    });
    cell(tr, "").appendChild(retry);
    tbody.appendChild(tr);
  }
}

async function refresh() {
  try {
    await Promise.all([loadStuck(), loadIncidents()]);
    showError(null);
  } catch (error) { showError(error); }
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  $("board").hidden = true;
  $("login").hidden = false;
}

function signedIn() {
  $("login").hidden = true;
  $("board").hidden = false;
  refresh();
}

document.addEventListener("DOMContentLoaded", () => {
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    signedIn();
  });
  $("filters").addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
  $("sign-out").addEventListener("click", signOut);
  if (token()) signedIn();
});
