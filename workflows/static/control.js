// The control room's shared part: messages, the token held in the tab, the API, text-only
// rendering and the BPMN diagram (bpmn-js's NavigatedViewer, served from this host).
// Every value from the server is written with textContent, never as HTML.
"use strict";

// Every string the pages show is in the catalogs of i18n.js (loaded first), in the
// language of the page: the browser's or the one chosen with the switch.
const TOKEN_KEY = "ciiflow.token";

function t(id, params = {}) { return I18N.t(id, params); }

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
    const fields = body.errors ? Object.entries(body.errors)
      .map(([field, messages]) => `${field}: ${[].concat(messages).join(" ")}`).join("; ") : "";
    const error = new Error([body.detail || body.title || `HTTP ${response.status}`, fields]
      .filter(Boolean).join(" — "));
    error.status = response.status;
    throw error;
  }
  return body;
}

function post(path, body) { return api(path, { method: "POST", body: JSON.stringify(body) }); }

// An element with its text (never parsed as HTML) and optional class and children.
function el(tag, text, className, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null && text !== "") node.textContent = String(text);
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

function link(href, text) {
  const a = el("a", text);
  a.href = href;
  return a;
}

function caseLink(instanceId, businessKey) {
  return link(`/dashboard/cases/${encodeURIComponent(instanceId)}`, businessKey || instanceId);
}

function row(values) {
  const tr = document.createElement("tr");
  for (const value of values) {
    const td = document.createElement("td");
    if (value instanceof Node) td.appendChild(value); else td.textContent = value ?? "";
    tr.appendChild(td);
  }
  return tr;
}

function fillTable(table, rows, emptyText) {
  const tbody = table.querySelector("tbody");
  tbody.replaceChildren(...rows);
  if (!rows.length && emptyText) {
    const span = table.querySelectorAll("thead th").length || 1;
    const td = el("td", emptyText, "empty");
    td.colSpan = span;
    tbody.appendChild(el("tr", null, null, [td]));
  }
}

function when(iso) {
  return iso ? new Date(iso).toISOString().slice(0, 16).replace("T", " ") : "";
}

function waited(seconds) {
  if (seconds == null) return "";
  const days = seconds / 86400;
  return days >= 1 ? t("wait.days", { n: Math.round(days * 10) / 10 })
                   : t("wait.hours", { n: Math.round(seconds / 3600) });
}

// Fill every [data-msg] element's text from the catalog.
function translate(root = document) {
  for (const node of root.querySelectorAll("[data-msg]")) node.textContent = t(node.dataset.msg);
  for (const node of root.querySelectorAll("[data-msg-placeholder]")) {
    node.placeholder = t(node.dataset.msgPlaceholder);
  }
}

function showError(error) {
  const box = $("error");
  box.hidden = !error;
  box.textContent = error ? error.message : "";
  if (error && error.status === 401) signOut();
}

function notice(text) {
  const box = $("notice");
  box.hidden = !text;
  box.textContent = text || "";
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  $("board").hidden = true;
  $("login").hidden = false;
}

// The login form and the sign-out button of a page; `load` runs once a token is held.
function startPage(load) {
  translate();
  const run = async () => {
    $("login").hidden = true;
    $("board").hidden = false;
    try { await load(); showError(null); } catch (error) { showError(error); }
  };
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    run();
  });
  $("sign-out").addEventListener("click", signOut);
  if (token()) run();
}

// A navigated viewer (zoom, pan) on `container` showing `xml`; null without bpmn-js.
async function drawDiagram(container, xml) {
  if (typeof window.BpmnJS !== "function") {
    container.replaceChildren(el("p", t("diagram.missing"), "error"));
    return null;
  }
  container.replaceChildren();
  const viewer = new window.BpmnJS({ container });
  await viewer.importXML(xml);
  viewer.get("canvas").zoom("fit-viewport", "auto");
  return viewer;
}

// The ids the diagram draws (a called process's elements are not on the caller's diagram).
function drawn(viewer, id) { return Boolean(viewer && id && viewer.get("elementRegistry").get(id)); }

function overlay(viewer, id, node, position = { bottom: 0, right: 0 }) {
  if (!drawn(viewer, id)) return;
  viewer.get("overlays").add(id, { position, html: node });
}

function marker(viewer, id, className) {
  if (drawn(viewer, id)) viewer.get("canvas").addMarker(id, className);
}
