"""The German names of the CII processes: a glossary from the drawn French text.

Why keyed by the French text rather than by element id: the same label recurs
across tasks and processes ("Décision", "Note", "Formation") and must read the
same everywhere, and a translator reviews a glossary, not a list of ids. The
generator writes each entry as a Camunda property (`name.de` on a user task,
`label.de` and `value.<id>.de` on a form field; see docs/translations.md) and
stops on a French text missing here, so no user task, form field or enum value
of the three processes is left without its German name.

Swiss administrative usage: "ss" for "ß", the Valais offices' German names
(RAV for ORP, SMZ for CMS, IV-Stelle for Office AI, Dienststelle für
Sozialwesen (DSW) for SAS, Amt für Asylwesen for Office de l'asile, IIZ for
CII), Stellungnahme for the SAS préavis, Gemeinde for commune, GEVER for GED.
"""

from __future__ import annotations

TASK_NAMES: dict[str, str] = {
    "Approuver le contrat de mesure": "Massnahmenvertrag genehmigen",
    "Assessment : analyse 360° et rapport": "Assessment: 360°-Analyse und Bericht",
    "Attribuer un·e conseiller·ère ORP": "RAV-Personalberatung zuteilen",
    "Bilan du soutien : prolonger ou terminer": "Bilanz der Unterstützung: verlängern oder beenden",
    "Bilan périodique du CM CII": "Periodische Bilanz des CM IIZ",
    "Bilan périodique du coaching": "Periodische Bilanz des Coachings",
    "Clôturer le cas (code de résultat)": "Fall abschliessen (Ergebniscode)",
    "Coaching intensif vers le 1er marché": "Intensives Coaching für den ersten Arbeitsmarkt",
    "Confirmer ou modifier le service proposé": "Vorgeschlagene Leistung bestätigen oder ändern",
    "Conseiller et placer": "Beraten und vermitteln",
    "Constituer le binôme et fixer les objectifs": "Tandem bilden und Ziele festlegen",
    "Convoquer la TRO (table ronde)": "Runden Tisch (TRO) einberufen",
    "Enregistrer le dernier versement": "Letzte Auszahlung erfassen",
    "Escalade : décision communale en retard": "Eskalation: Entscheid der Gemeinde verspätet",
    "Escalade : préavis SAS en retard": "Eskalation: Stellungnahme der DSW verspätet",
    "Inscrire la personne à l'ORP": "Person beim RAV anmelden",
    "Motiver la dérogation au triage": "Abweichung von der Triage begründen",
    "Motiver le refus et informer l'annonceur":
        "Ablehnung begründen und die meldende Stelle informieren",
    "Préavis SAS": "Stellungnahme der DSW (Sozialwesen)",
    "Rappel : décision communale attendue": "Erinnerung: Entscheid der Gemeinde ausstehend",
    "Rappel : préavis attendu": "Erinnerung: Stellungnahme ausstehend",
    "Reprendre le cas (CM CII) et établir le plan": "Fall übernehmen (CM IIZ) und Plan erstellen",
    "Réviser ou retirer la mesure": "Massnahme überarbeiten oder zurückziehen",
    "Signer le contrat de collaboration tripartite":
        "Dreiseitige Zusammenarbeitsvereinbarung unterzeichnen",
    "Suivi de l'emploi à 2 ans": "Nachkontrolle der Anstellung nach 2 Jahren",
    "Superviser les mesures et décider la clôture":
        "Massnahmen begleiten und über den Abschluss entscheiden",
    "Tenir la TRO et formuler les propositions":
        "Runden Tisch (TRO) durchführen und Vorschläge formulieren",
    "Valider l'entreprise partenaire": "Partnerbetrieb prüfen",
    "Élaborer la mesure / le contrat d'insertion":
        "Massnahme / Eingliederungsvertrag ausarbeiten",
}

FIELD_LABELS: dict[str, str] = {
    "Action": "Unternommener Schritt",
    "Assistant·e social·e CMS (identifiant utilisateur)": "Sozialarbeitende SMZ (Benutzer-ID)",
    "Autre double soutien chez cet employeur":
        "Andere Doppelunterstützung bei diesem Arbeitgeber",
    "Avancement": "Fortschritt",
    "Case manager (identifiant utilisateur du répondant)":
        "Case Manager (Benutzer-ID der fallführenden Person)",
    "Chez le même employeur": "Beim selben Arbeitgeber",
    "Conseiller·ère (identifiant utilisateur)": "Personalberatende (Benutzer-ID)",
    "Conseiller·ère ORP (identifiant utilisateur)": "RAV-Personalberatende (Benutzer-ID)",
    "Coût estimé (CHF)": "Geschätzte Kosten (CHF)",
    "Date d'engagement": "Datum der Anstellung",
    "Date d'inscription": "Datum der Anmeldung",
    "Date de clôture": "Abschlussdatum",
    "Date de fin du CM": "Enddatum des CM",
    "Date de la décision": "Datum des Entscheids",
    "Date de la table ronde": "Datum des Runden Tisches",
    "Date de signature": "Datum der Unterzeichnung",
    "Date de sortie": "Austrittsdatum",
    "Date du dernier versement": "Datum der letzten Auszahlung",
    "Date du suivi": "Datum der Nachkontrolle",
    "Date prévue de la décision": "Voraussichtliches Datum des Entscheids",
    "Date prévue du préavis": "Voraussichtliches Datum der Stellungnahme",
    "Durée (mois)": "Dauer (Monate)",
    "Durée prévue du soutien (mois, 3 à 6)":
        "Vorgesehene Dauer der Unterstützung (Monate, 3 bis 6)",
    "Durée totale du soutien en mois, prolongation demandée comprise":
        "Gesamtdauer der Unterstützung in Monaten, inklusive beantragter Verlängerung",
    "Durée totale effective (mois)": "Tatsächliche Gesamtdauer (Monate)",
    "Début effectif de l'emploi": "Tatsächlicher Stellenantritt",
    "Décision": "Entscheid",
    "Décision de sortie": "Austrittsentscheid",
    "Inscrite sur Job-Room": "Auf Job-Room angemeldet",
    "Institution reprenant le suivi": "Institution, welche die Begleitung übernimmt",
    "L'employeur bénéficie d'AIT pour ce poste":
        "Der Arbeitgeber erhält für diese Stelle Einarbeitungszuschüsse (EAZ)",
    "L'employeur bénéficie de RHT": "Der Arbeitgeber bezieht Kurzarbeitsentschädigung (KAE)",
    "Les mesures des partenaires se déroulent comme prévu":
        "Die Massnahmen der Partner verlaufen wie geplant",
    "Les propositions comprennent une mesure d'insertion payée par l'aide sociale":
        "Die Vorschläge umfassen eine von der Sozialhilfe bezahlte Eingliederungsmassnahme",
    "Motif de clôture proposé": "Vorgeschlagener Abschlussgrund",
    "Motif de la dérogation (obligatoire)": "Grund der Abweichung (obligatorisch)",
    "Motif du refus": "Ablehnungsgrund",
    "Motivation": "Begründung",
    "Motivation de la décision": "Begründung des Entscheids",
    "Nombre de parties invitées": "Anzahl eingeladener Parteien",
    "Nombre de parties présentes": "Anzahl anwesender Parteien",
    "Nombre de propositions": "Anzahl Vorschläge",
    "Note": "Bemerkung",
    "Note (sans données personnelles)": "Bemerkung (ohne Personendaten)",
    "Note de bilan (sans données identifiantes)": "Bilanzbemerkung (ohne identifizierende Daten)",
    "Note de suivi": "Bemerkung zur Begleitung",
    "Objectif du coaching": "Ziel des Coachings",
    "Premier entretien": "Erstgespräch",
    "Préavis": "Stellungnahme",
    "Précision (sans données personnelles)": "Präzisierung (ohne Personendaten)",
    "Référence du plan de prise en charge": "Referenz des Betreuungsplans",
    "Référence du procès-verbal et des propositions": "Referenz des Protokolls und der Vorschläge",
    "Référence du projet de contrat d'insertion":
        "Referenz des Entwurfs des Eingliederungsvertrags",
    "Référence du rapport (GED)": "Referenz des Berichts (GEVER)",
    "Résultat": "Ergebnis",
    "Résultat / outcome": "Ergebnis",
    "Service retenu (proposition : triage.service)":
        "Gewählte Leistung (Vorschlag: triage.service)",
    "Suite": "Weiteres Vorgehen",
    "Toujours en emploi": "Weiterhin angestellt",
    "Type de contrat": "Vertragsart",
    "Type de mesure": "Art der Massnahme",
    # the start events' forms (announcements)
    "Institution annonceuse": "Meldende Institution",
    "Région socio-économique": "Sozioökonomische Region",
    "CMS régional (CMSR) compétent": "Zuständiges regionales SMZ",
    "Commune de domicile (identifiant du répertoire, p. ex. sion)":
        "Wohngemeinde (Kennung im Verzeichnis, z. B. sion)",
    "Référence pseudonyme de la personne (jamais nom ni n° AVS)":
        "Pseudonyme Referenz der Person (nie Name oder AHV-Nummer)",
    "Référence pseudonyme de la personne": "Pseudonyme Referenz der Person",
    "Procuration signée / consent signed": "Vollmacht unterzeichnet",
    "Procuration signée": "Vollmacht unterzeichnet",
    "Date de la procuration": "Datum der Vollmacht",
    "Portée de la procuration (partenaires, buts)": "Umfang der Vollmacht (Partner, Zwecke)",
    "Résumé de la situation (sans données identifiantes)":
        "Zusammenfassung der Situation (ohne identifizierende Daten)",
    "Nombre d'institutions impliquées": "Anzahl beteiligter Institutionen",
    "Obstacle de santé à l'emploi": "Gesundheitliches Hindernis für eine Erwerbstätigkeit",
    "Bénéficiaire de l'aide sociale": "Bezieht Sozialhilfe",
    "Apte au placement (prêt·e pour le 1er marché)":
        "Vermittlungsfähig (bereit für den ersten Arbeitsmarkt)",
    "Compétence institutionnelle peu claire / contestée":
        "Institutionelle Zuständigkeit unklar / umstritten",
    "Identifié·e par": "Erkannt durch",
    "Statut": "Status",
    "Employeur (IDE/UID, p. ex. CHE-123.456.789)": "Arbeitgeber (UID, z. B. CHE-123.456.789)",
    "Début prévu de l'emploi": "Vorgesehener Stellenantritt",
    "Aptitude au placement validée": "Vermittlungsfähigkeit bestätigt",
    "Date de validation": "Datum der Bestätigung",
    "Stage d'orientation ou de formation effectué":
        "Orientierungs- oder Ausbildungspraktikum absolviert",
    "Projet professionnel (métier visé)": "Berufliches Ziel (angestrebter Beruf)",
    "Niveau de langue (CECR)": "Sprachniveau (GER)",
}

ENUM_NAMES: dict[str, str] = {
    "Abandon": "Abbruch",
    "Abandon / abandoned": "Abbruch",
    "Apprentissage": "Lehre",
    "Approuvé": "Genehmigt",
    "Assessment (analyse 360°)": "Assessment (360°-Analyse)",
    "À risque": "Gefährdet",
    "CM CII (case management)": "CM IIZ (Case Management)",
    "CMS (aide sociale)": "SMZ (Sozialhilfe)",
    "Commune": "Gemeinde",
    "Procuration manquante": "Vollmacht fehlt",
    "Procuration insuffisante (portée)": "Vollmacht ungenügend (Umfang)",
    "Service contacté": "Dienststelle kontaktiert",
    "Décloisonnement (binôme ORP–CMS)": "Décloisonnement (Tandem RAV–SMZ)",
    "Terminer le soutien": "Unterstützung beenden",
    "Prolonger de 3 mois": "Um 3 Monate verlängern",
    "Favorable": "Befürwortend",
    "Emploi sur le 1er marché": "Stelle im ersten Arbeitsmarkt",
    "Premier marché du travail / first labour market": "Erster Arbeitsmarkt",
    "Durée déterminée": "Befristet",
    "Objectifs atteints": "Ziele erreicht",
    "Remis à une institution": "An eine Institution übergeben",
    "Remis à une institution / handed back to one institution": "An eine Institution übergeben",
    "Compléments demandés": "Ergänzungen verlangt",
    "Nouveau délai convenu": "Neue Frist vereinbart",
    "Aucun": "Keiner",
    "Aucune": "Keine",
    "Non placé·e": "Nicht vermittelt",
    "Office AI": "IV-Stelle",
    "Office de l'asile – BIP": "Amt für Asylwesen – BIP",
    "Hors objectifs": "Nicht auf Kurs",
    "Dans les objectifs": "Auf Kurs",
    "ORP (assurance chômage)": "RAV (Arbeitslosenversicherung)",
    "Autre": "Andere",
    "Autre motif": "Anderer Grund",
    "Autre prestation / institution": "Andere Leistung / Institution",
    "Durée indéterminée": "Unbefristet",
    "Placé·e": "Vermittelt",
    "Insertion professionnelle": "Berufliche Eingliederung",
    "Refusé": "Abgelehnt",
    "Réviser la proposition": "Vorschlag überarbeiten",
    "Insertion sociale": "Soziale Eingliederung",
    "Insertion sociale / social insertion": "Soziale Eingliederung",
    "Formation": "Ausbildung",
    "Formation / training": "Ausbildung",
    "TRO (table ronde)": "TRO (Runder Tisch)",
    "Défavorable": "Ablehnend",
    "Retirer la mesure": "Massnahme zurückziehen",
    # the start events' forms: regions, CMSR, status, language levels (CEFR, as in German)
    "Haut-Valais / Oberwallis": "Oberwallis",
    "Valais central": "Mittelwallis",
    "Bas-Valais": "Unterwallis",
    "SMZ Oberwallis": "SMZ Oberwallis",
    "CMSR Sierre": "SMZ Siders",
    "CMSR Sion – Hérens – Conthey": "SMZ Sitten – Ering – Gundis",
    "CMSR Martigny": "SMZ Martinach",
    "CMSR Bas-Valais": "SMZ Unterwallis",
    "BIP (Office de l'asile)": "BIP (Amt für Asylwesen)",
    "ORP": "RAV",
    "Réfugié·e (R)": "Anerkannter Flüchtling (FL)",
    "Admis·e à titre provisoire (AP)": "Vorläufig aufgenommen (VA)",
    **{level: level for level in ("A1", "A2", "B1", "B2", "C1", "C2")},
}


def german(table: dict[str, str], french: str, what: str) -> str:
    """The German text of a drawn French one; a missing entry stops the generator."""
    try:
        return table[french]
    except KeyError:
        raise KeyError(f"no German {what} for {french!r} in bpmn/tools/german.py") from None
