// The control room's message catalogs (French, German, English) and the language switch.
// Loaded before the page's own script, as a static file (the CSP allows no inline script).
// The language is the one kept in localStorage by the switch, else the browser's first
// language we have (navigator.languages), else French. The pages ask the API in the same
// language (Accept-Language), so task names come translated too.
"use strict";

const I18N = (() => {
  const LANGUAGES = ["fr", "de", "en"];
  const NAMES = { fr: "Français", de: "Deutsch", en: "English" };
  const STORAGE_KEY = "ciiflow.language";

  const CATALOGS = {
    en: {
      "language": "Language",
      "login.token": "Coordinator token", "login.submit": "Sign in", "sign_out": "Sign out",
      "nav.board": "Stuck cases", "nav.processes": "Processes",
      "board.title": "Stuck cases", "board.sub": "Which CII cases wait, where, since when and why.",
      "board.total": "{n} stuck", "board.case": "Case", "board.incidents": "Open incidents",
      "filter.older_than": "Waiting longer than", "filter.reason": "Reason",
      "filter.group": "Group", "filter.activity": "Activity", "filter.institution": "Institution",
      "filter.process": "Process", "filter.refresh": "Refresh",
      "age.1d": "1 day", "age.5d": "5 days", "age.10d": "10 days", "age.30d": "30 days",
      "hint.group": "e.g. sas", "hint.activity": "e.g. sas_preavis_task",
      "hint.institution": "e.g. orp-valais-central", "hint.process": "e.g. cii_case",
      "reason.all": "all", "reason.waiting": "waiting", "reason.overdue": "overdue",
      "reason.incident": "incident", "reason.no_holder": "no holder",
      "reason.notification_failing": "notification failing", "reason.idle": "idle",
      "col.reason": "Reason", "col.process": "Process", "col.waiting": "Waiting",
      "col.why": "Why", "col.number": "#", "col.instance": "Instance", "col.opened": "Opened",
      "case.title": "Case", "case.status": "Status", "case.business_key": "Business key",
      "case.process": "Process", "case.started": "Started", "case.waiting_at": "Waiting at",
      "case.diagram": "Where the case stands", "case.incidents": "Open incidents",
      "case.tasks": "Open tasks", "case.history": "History", "case.data": "Data",
      "case.access_log": "Read by", "case.actions": "Actions", "case.migrate": "Migrate",
      "case.no_incident": "No open incident.", "case.no_task": "No open task.",
      "case.none": "None.",
      "action.reason": "Reason", "action.suspend": "Suspend", "action.resume": "Resume",
      "action.terminate": "Terminate", "action.retry": "Retry",
      "action.corrected_data": "Corrected data (JSON object)", "action.release": "Release claim",
      "action.reassign": "Reassign", "action.groups": "Groups (comma-separated)",
      "action.done": "Done.", "action.bad_json": "The corrected data is not a JSON object.",
      "migrate.to_version": "To version", "migrate.dry_run": "Dry run",
      "migrate.run": "Migrate now", "migrate.plan": "Plan: {summary}",
      "migrate.first": "Run a dry run first.", "migrate.can_move": "can move",
      "migrate.cannot_move": "cannot move", "migrate.migrated": "migrated",
      "col.at": "At", "col.kind": "Kind", "col.actor": "By", "col.activity": "Activity",
      "col.message": "Message", "col.task": "Task", "col.groups": "Groups",
      "col.assignee": "Claimed by", "col.since": "Since", "col.due": "Due", "col.case": "Case",
      "col.variable": "Variable", "col.value": "Value", "col.principal": "Principal",
      "col.role": "Role", "col.what": "What", "col.status": "Result", "col.detail": "Detail",
      "col.version": "Version", "col.name": "Name", "col.deployed": "Deployed",
      "col.ready": "Ready", "col.overdue": "Overdue", "col.incidents": "Incidents",
      "col.median": "Median wait",
      "process.title": "Process", "process.version": "Version",
      "process.figures": "ready {ready} · overdue {overdue} · incidents {incidents}",
      "process.median": "median wait {wait}",
      "process.pick": "Click an activity to list its cases.",
      "process.cases": "Cases at {activity}", "process.none": "No case waits here.",
      "process.list": "Processes", "badge.ready": "{n} ready", "badge.overdue": "{n} overdue",
      "badge.incidents": "{n} incident(s)", "badge.median": "median {wait}",
      "bulk.retry": "Retry every incident here", "bulk.release": "Release the selected claims",
      "bulk.reassign": "Reassign the selected tasks",
      "bulk.confirm": "{operation}: {count} case(s) concerned. Confirm?",
      "bulk.yes": "Confirm", "bulk.no": "Cancel", "bulk.select": "Select",
      "bulk.result": "{operation}: {ok} done, {failed} failed",
      "bulk.nothing": "Nothing to do: no case is concerned.",
      "status.planned": "planned", "status.ok": "ok", "status.error": "error",
      "wait.days": "{n} d", "wait.hours": "{n} h",
      "diagram.missing": "The diagram viewer is not installed (run make install).",
    },
    fr: {
      "language": "Langue",
      "login.token": "Jeton de coordination", "login.submit": "Se connecter",
      "sign_out": "Se déconnecter",
      "nav.board": "Cas bloqués", "nav.processes": "Processus",
      "board.title": "Cas bloqués",
      "board.sub": "Quels cas CII attendent, où, depuis quand et pourquoi.",
      "board.total": "{n} bloqué(s)", "board.case": "Cas", "board.incidents": "Incidents ouverts",
      "filter.older_than": "En attente depuis plus de", "filter.reason": "Motif",
      "filter.group": "Groupe", "filter.activity": "Activité", "filter.institution": "Institution",
      "filter.process": "Processus", "filter.refresh": "Actualiser",
      "age.1d": "1 jour", "age.5d": "5 jours", "age.10d": "10 jours", "age.30d": "30 jours",
      "hint.group": "p. ex. sas", "hint.activity": "p. ex. sas_preavis_task",
      "hint.institution": "p. ex. orp-valais-central", "hint.process": "p. ex. cii_case",
      "reason.all": "tous", "reason.waiting": "en attente", "reason.overdue": "en retard",
      "reason.incident": "incident", "reason.no_holder": "sans destinataire",
      "reason.notification_failing": "notification en échec", "reason.idle": "inactif",
      "col.reason": "Motif", "col.process": "Processus", "col.waiting": "Attente",
      "col.why": "Pourquoi", "col.number": "n°", "col.instance": "Instance",
      "col.opened": "Ouvert le",
      "case.title": "Cas", "case.status": "Statut", "case.business_key": "Référence du cas",
      "case.process": "Processus", "case.started": "Démarré le", "case.waiting_at": "En attente à",
      "case.diagram": "Où en est le cas", "case.incidents": "Incidents ouverts",
      "case.tasks": "Tâches ouvertes", "case.history": "Historique", "case.data": "Données",
      "case.access_log": "Consulté par", "case.actions": "Actions", "case.migrate": "Migrer",
      "case.no_incident": "Aucun incident ouvert.", "case.no_task": "Aucune tâche ouverte.",
      "case.none": "Aucun.",
      "action.reason": "Motif", "action.suspend": "Suspendre", "action.resume": "Reprendre",
      "action.terminate": "Terminer", "action.retry": "Relancer",
      "action.corrected_data": "Données corrigées (objet JSON)",
      "action.release": "Libérer la tâche", "action.reassign": "Réattribuer",
      "action.groups": "Groupes (séparés par des virgules)", "action.done": "Fait.",
      "action.bad_json": "Les données corrigées ne sont pas un objet JSON.",
      "migrate.to_version": "Vers la version", "migrate.dry_run": "Essai à blanc",
      "migrate.run": "Migrer maintenant", "migrate.plan": "Plan : {summary}",
      "migrate.first": "Faites d'abord un essai à blanc.", "migrate.can_move": "peut migrer",
      "migrate.cannot_move": "ne peut pas migrer", "migrate.migrated": "migré",
      "col.at": "Le", "col.kind": "Type", "col.actor": "Par", "col.activity": "Activité",
      "col.message": "Message", "col.task": "Tâche", "col.groups": "Groupes",
      "col.assignee": "Prise par", "col.since": "Depuis", "col.due": "Échéance",
      "col.case": "Cas", "col.variable": "Variable", "col.value": "Valeur",
      "col.principal": "Titulaire", "col.role": "Rôle", "col.what": "Quoi",
      "col.status": "Résultat", "col.detail": "Détail", "col.version": "Version",
      "col.name": "Nom", "col.deployed": "Déployé le",
      "col.ready": "Prêtes", "col.overdue": "En retard", "col.incidents": "Incidents",
      "col.median": "Attente médiane",
      "process.title": "Processus", "process.version": "Version",
      "process.figures": "prêtes {ready} · en retard {overdue} · incidents {incidents}",
      "process.median": "attente médiane {wait}",
      "process.pick": "Cliquez sur une activité pour lister ses cas.",
      "process.cases": "Cas à {activity}", "process.none": "Aucun cas n'attend ici.",
      "process.list": "Processus", "badge.ready": "{n} prête(s)",
      "badge.overdue": "{n} en retard", "badge.incidents": "{n} incident(s)",
      "badge.median": "médiane {wait}",
      "bulk.retry": "Relancer tous les incidents ici",
      "bulk.release": "Libérer les tâches choisies",
      "bulk.reassign": "Réattribuer les tâches choisies",
      "bulk.confirm": "{operation} : {count} cas concerné(s). Confirmer ?",
      "bulk.yes": "Confirmer", "bulk.no": "Annuler", "bulk.select": "Choisir",
      "bulk.result": "{operation} : {ok} fait(s), {failed} en échec",
      "bulk.nothing": "Rien à faire : aucun cas n'est concerné.",
      "status.planned": "prévu", "status.ok": "ok", "status.error": "erreur",
      "wait.days": "{n} j", "wait.hours": "{n} h",
      "diagram.missing": "Le visualiseur de diagrammes n'est pas installé (lancez make install).",
    },
    de: {
      "language": "Sprache",
      "login.token": "Token der Koordination", "login.submit": "Anmelden",
      "sign_out": "Abmelden",
      "nav.board": "Blockierte Fälle", "nav.processes": "Prozesse",
      "board.title": "Blockierte Fälle",
      "board.sub": "Welche IIZ-Fälle warten, wo, seit wann und warum.",
      "board.total": "{n} blockiert", "board.case": "Fall", "board.incidents": "Offene Störungen",
      "filter.older_than": "Wartet länger als", "filter.reason": "Grund",
      "filter.group": "Gruppe", "filter.activity": "Aktivität", "filter.institution": "Institution",
      "filter.process": "Prozess", "filter.refresh": "Aktualisieren",
      "age.1d": "1 Tag", "age.5d": "5 Tage", "age.10d": "10 Tage", "age.30d": "30 Tage",
      "hint.group": "z. B. sas", "hint.activity": "z. B. sas_preavis_task",
      "hint.institution": "z. B. orp-valais-central", "hint.process": "z. B. cii_case",
      "reason.all": "alle", "reason.waiting": "wartend", "reason.overdue": "überfällig",
      "reason.incident": "Störung", "reason.no_holder": "ohne Empfänger",
      "reason.notification_failing": "Benachrichtigung fehlgeschlagen", "reason.idle": "untätig",
      "col.reason": "Grund", "col.process": "Prozess", "col.waiting": "Wartezeit",
      "col.why": "Warum", "col.number": "Nr.", "col.instance": "Instanz",
      "col.opened": "Eröffnet",
      "case.title": "Fall", "case.status": "Status", "case.business_key": "Fallreferenz",
      "case.process": "Prozess", "case.started": "Gestartet", "case.waiting_at": "Wartet bei",
      "case.diagram": "Wo der Fall steht", "case.incidents": "Offene Störungen",
      "case.tasks": "Offene Aufgaben", "case.history": "Verlauf", "case.data": "Daten",
      "case.access_log": "Gelesen von", "case.actions": "Aktionen", "case.migrate": "Migrieren",
      "case.no_incident": "Keine offene Störung.", "case.no_task": "Keine offene Aufgabe.",
      "case.none": "Keine.",
      "action.reason": "Grund", "action.suspend": "Anhalten", "action.resume": "Fortsetzen",
      "action.terminate": "Beenden", "action.retry": "Erneut versuchen",
      "action.corrected_data": "Korrigierte Daten (JSON-Objekt)",
      "action.release": "Aufgabe freigeben", "action.reassign": "Neu zuweisen",
      "action.groups": "Gruppen (durch Kommas getrennt)", "action.done": "Erledigt.",
      "action.bad_json": "Die korrigierten Daten sind kein JSON-Objekt.",
      "migrate.to_version": "Auf Version", "migrate.dry_run": "Probelauf",
      "migrate.run": "Jetzt migrieren", "migrate.plan": "Plan: {summary}",
      "migrate.first": "Zuerst einen Probelauf durchführen.",
      "migrate.can_move": "migrierbar", "migrate.cannot_move": "nicht migrierbar",
      "migrate.migrated": "migriert",
      "col.at": "Am", "col.kind": "Art", "col.actor": "Durch", "col.activity": "Aktivität",
      "col.message": "Meldung", "col.task": "Aufgabe", "col.groups": "Gruppen",
      "col.assignee": "Übernommen von", "col.since": "Seit", "col.due": "Fällig",
      "col.case": "Fall", "col.variable": "Variable", "col.value": "Wert",
      "col.principal": "Berechtigte", "col.role": "Rolle", "col.what": "Was",
      "col.status": "Ergebnis", "col.detail": "Einzelheiten", "col.version": "Version",
      "col.name": "Name", "col.deployed": "Bereitgestellt",
      "col.ready": "Bereit", "col.overdue": "Überfällig", "col.incidents": "Störungen",
      "col.median": "Mittlere Wartezeit",
      "process.title": "Prozess", "process.version": "Version",
      "process.figures": "bereit {ready} · überfällig {overdue} · Störungen {incidents}",
      "process.median": "mittlere Wartezeit (Median) {wait}",
      "process.pick": "Auf eine Aktivität klicken, um ihre Fälle aufzulisten.",
      "process.cases": "Fälle bei {activity}", "process.none": "Hier wartet kein Fall.",
      "process.list": "Prozesse", "badge.ready": "{n} bereit",
      "badge.overdue": "{n} überfällig", "badge.incidents": "{n} Störung(en)",
      "badge.median": "Median {wait}",
      "bulk.retry": "Alle Störungen hier erneut versuchen",
      "bulk.release": "Gewählte Aufgaben freigeben",
      "bulk.reassign": "Gewählte Aufgaben neu zuweisen",
      "bulk.confirm": "{operation}: {count} Fall/Fälle betroffen. Bestätigen?",
      "bulk.yes": "Bestätigen", "bulk.no": "Abbrechen", "bulk.select": "Auswählen",
      "bulk.result": "{operation}: {ok} erledigt, {failed} fehlgeschlagen",
      "bulk.nothing": "Nichts zu tun: kein Fall ist betroffen.",
      "status.planned": "geplant", "status.ok": "ok", "status.error": "Fehler",
      "wait.days": "{n} T.", "wait.hours": "{n} Std.",
      "diagram.missing": "Der Diagramm-Viewer ist nicht installiert (make install ausführen).",
    },
  };

  function chosen() {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (LANGUAGES.includes(stored)) return stored;
    for (const tag of navigator.languages || [navigator.language || ""]) {
      const primary = String(tag).toLowerCase().split("-")[0];
      if (LANGUAGES.includes(primary)) return primary;
    }
    return "fr";
  }

  const language = chosen();

  // The text of `id` in the page's language ({name} filled from params), English if missing.
  function t(id, params = {}) {
    const text = CATALOGS[language][id] ?? CATALOGS.en[id] ?? id;
    return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : ""));
  }

  // Every [data-msg] element's text and [data-msg-placeholder] input's hint, as text.
  function apply(root = document) {
    for (const node of root.querySelectorAll("[data-msg]")) node.textContent = t(node.dataset.msg);
    for (const node of root.querySelectorAll("[data-msg-placeholder]")) {
      node.placeholder = t(node.dataset.msgPlaceholder);
    }
  }

  // The switch: a <select> in every [data-language-switch] element; a choice is kept and the
  // page reloaded in it (the token stays in the tab's sessionStorage).
  function addSwitch(root = document) {
    for (const holder of root.querySelectorAll("[data-language-switch]")) {
      const label = document.createElement("label");
      label.textContent = `${t("language")} `;
      const select = document.createElement("select");
      select.id = "language";
      for (const code of LANGUAGES) {
        const option = document.createElement("option");
        option.value = code;
        option.textContent = NAMES[code];
        option.selected = code === language;
        select.appendChild(option);
      }
      select.addEventListener("change", () => {
        localStorage.setItem(STORAGE_KEY, select.value);
        location.reload();
      });
      label.appendChild(select);
      holder.replaceChildren(label);
    }
  }

  document.documentElement.lang = language;
  document.addEventListener("DOMContentLoaded", () => { apply(); addSwitch(); });
  return { LANGUAGES, language, t, apply, addSwitch };
})();
