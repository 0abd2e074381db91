//! From a session to the templates' context: field view models, the interface texts in
//! German and English, and the template environment (built-in templates, each of which
//! an authority can replace with a file of the same name in `--templates DIR`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use engine::form::{Display, FieldType, Format};
use engine::ids::{FieldId, StepId};
use engine::session::{BudgetExhausted, Input, Instance, Session};
use serde::Serialize;

/// The built-in templates (`runtime-server/templates`).
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../../templates/layout.html")),
    ("header.html", include_str!("../../templates/header.html")),
    ("footer.html", include_str!("../../templates/footer.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("authorities.html", include_str!("../../templates/authorities.html")),
    ("authority.html", include_str!("../../templates/authority.html")),
    ("start.html", include_str!("../../templates/start.html")),
    ("step.html", include_str!("../../templates/step.html")),
    ("field.html", include_str!("../../templates/field.html")),
    ("summary.html", include_str!("../../templates/summary.html")),
    ("confirmation.html", include_str!("../../templates/confirmation.html")),
    ("saved.html", include_str!("../../templates/saved.html")),
    ("resume.html", include_str!("../../templates/resume.html")),
    ("message.html", include_str!("../../templates/message.html")),
    ("trust.html", include_str!("../../templates/trust.html")),
    ("konto.html", include_str!("../../templates/konto.html")),
    ("konto_antrag.html", include_str!("../../templates/konto_antrag.html")),
    ("legal.html", include_str!("../../templates/legal.html")),
    ("barrierefreiheit.html", include_str!("../../templates/barrierefreiheit.html")),
];

/// The template environment. Auto-escaping follows the file extension (`*.html`).
pub fn environment(overrides: Option<PathBuf>) -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_loader(move |name| {
        if let Some(dir) = &overrides
            && !name.contains("..")
            && !name.contains('/')
        {
            let p = dir.join(name);
            if p.is_file() {
                return std::fs::read_to_string(&p)
                    .map(Some)
                    .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()));
            }
        }
        Ok(TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, s)| s.to_string()))
    });
    env
}

/// The interface texts in a language (German unless `en`).
pub fn texts(lang: &str) -> BTreeMap<&'static str, &'static str> {
    let en = lang == "en";
    let pick = |de: &'static str, e: &'static str| if en { e } else { de };
    BTreeMap::from([
        ("service", pick("Online-Anträge", "Online applications")),
        ("skip", pick("Zum Inhalt springen", "Skip to main content")),
        ("forms", pick("Anträge", "Applications")),
        ("authorities", pick("Behörden und ihre Anträge", "Authorities and their applications")),
        ("other_forms", pick("Weitere Anträge", "Other applications")),
        ("all_authorities", pick("Alle Behörden", "All authorities")),
        ("address", pick("Anschrift", "Address")),
        ("contact", pick("Kontakt", "Contact")),
        ("phone", pick("Telefon", "Phone")),
        ("email", pick("E-Mail", "Email")),
        ("website", pick("Internetseite", "Website")),
        ("start", pick("Jetzt starten", "Start now")),
        ("resume_hint", pick("Ihre Eingaben werden bei jedem Schritt gespeichert.", "Your answers are saved at every step.")),
        ("continue", pick("Weiter", "Continue")),
        ("back", pick("Zurück", "Back")),
        ("back_nav", pick("Vorheriger Schritt", "Previous step")),
        ("step", pick("Schritt", "Step")),
        ("of", pick("von", "of")),
        ("optional", pick("(optional)", "(optional)")),
        ("error", pick("Fehler", "Error")),
        ("error_summary", pick("Es gibt ein Problem", "There is a problem")),
        ("yes", pick("Ja", "Yes")),
        ("no", pick("Nein", "No")),
        ("add", pick("Weiteren Eintrag hinzufügen", "Add another")),
        ("remove", pick("Entfernen", "Remove")),
        ("entry", pick("Eintrag", "Entry")),
        ("choose", pick("Bitte auswählen", "Please choose")),
        ("date_hint", pick("Zum Beispiel 27.03.2026", "For example 27/03/2026")),
        ("file_current", pick("Hochgeladen:", "Uploaded:")),
        ("file_keep", pick("Wählen Sie nur eine Datei, wenn Sie sie ersetzen möchten.", "Only choose a file to replace it.")),
        ("save_later", pick("Speichern und später fortfahren", "Save and continue later")),
        ("summary", pick("Prüfen Sie Ihre Angaben", "Check your answers")),
        ("change", pick("Ändern", "Change")),
        ("submit", pick("Antrag absenden", "Submit application")),
        (
            "submit_hint",
            pick(
                "Mit dem Absenden bestätigen Sie, dass Ihre Angaben richtig sind.",
                "By submitting you confirm that your answers are correct.",
            ),
        ),
        ("confirmation", pick("Antrag eingegangen", "Application received")),
        ("reference", pick("Ihre Vorgangsnummer", "Your reference number")),
        ("sent_to", pick("Ihr Antrag ist eingegangen bei:", "Your application has been received by:")),
        ("pdf_download", pick("Ihren Antrag herunterladen", "Download your application")),
        ("pdf_reference", pick("Vorgangsnummer", "Reference number")),
        ("pdf_submitted", pick("Eingegangen am", "Received on")),
        ("pdf_authority", pick("Behörde", "Authority")),
        ("pdf_page", pick("Seite", "Page")),
        ("next_title", pick("Wie geht es weiter?", "What happens next")),
        (
            "confirmation_next",
            pick(
                "Die Behörde prüft Ihren Antrag und meldet sich bei Ihnen, wenn sie Fragen hat oder entschieden hat.",
                "The authority will check your application and contact you if it has questions or when it has decided.",
            ),
        ),
        (
            "confirmation_note",
            pick(
                "Bitte notieren Sie die Vorgangsnummer und geben Sie sie bei Rückfragen an. Sie können diese Seite für Ihre Unterlagen ausdrucken.",
                "Please note the reference number and give it when you contact the authority. You can print this page for your records.",
            ),
        ),
        (
            "legal_missing",
            pick(
                "Der Betreiber dieses Dienstes hat diese Seite noch nicht hinterlegt.",
                "The operator of this service has not provided this page yet.",
            ),
        ),
        ("saved", pick("Ihre Angaben sind gespeichert", "Your answers are saved")),
        (
            "saved_link",
            pick(
                "Mit diesem Link können Sie später weitermachen, auch in einem anderen Browser:",
                "Use this link to continue later, also in another browser:",
            ),
        ),
        ("saved_until", pick("Der Link gilt einmal, bis", "The link works once, until")),
        ("resume_title", pick("Gespeicherten Antrag fortsetzen", "Continue a saved application")),
        ("resume_text", pick("Mit diesem Link setzen Sie einen gespeicherten Antrag fort:", "This link continues a saved application:")),
        (
            "resume_once",
            pick(
                "Der Antrag wird in diesen Browser übernommen, und der Link gilt danach nicht mehr. Öffnen Sie nur Links, die Sie selbst gespeichert haben. Wenn Sie später in einem anderen Browser weitermachen möchten, speichern Sie erneut.",
                "The application moves to this browser, and the link stops working. Only open links you saved yourself. To continue in another browser later, save again.",
            ),
        ),
        ("resume_button", pick("Antrag fortsetzen", "Continue the application")),
        (
            "saved_secret",
            pick(
                "Geben Sie den Link nicht weiter: Wer ihn hat, sieht Ihre Angaben.",
                "Do not share the link: anyone who has it sees your answers.",
            ),
        ),
        ("continue_now", pick("Jetzt weitermachen", "Continue now")),
        ("not_found", pick("Seite nicht gefunden", "Page not found")),
        (
            "not_found_text",
            pick("Prüfen Sie die Adresse oder beginnen Sie auf der Startseite.", "Check the address or start on the home page."),
        ),
        ("expired", pick("Der Link ist ungültig oder abgelaufen", "The link is invalid or has expired")),
        ("forbidden", pick("Die Anfrage wurde abgelehnt", "The request was refused")),
        (
            "forbidden_text",
            pick("Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.", "Please reload the page and try again."),
        ),
        ("too_complex", pick("Das Formular kann gerade nicht berechnet werden", "The form cannot be worked out right now")),
        (
            "too_complex_text",
            pick(
                "Ihre bisherigen Angaben sind gespeichert. Bitte versuchen Sie es später noch einmal oder wenden Sie sich an die Behörde.",
                "Your answers so far are saved. Please try again later or contact the authority.",
            ),
        ),
        ("home", pick("Zur Startseite", "Go to the home page")),
        ("unavailable", pick("Der Dienst ist gerade nicht erreichbar", "The service is unavailable right now")),
        (
            "unavailable_text",
            pick(
                "Bitte versuchen Sie es in einigen Minuten noch einmal. Was Sie auf früheren Seiten eingegeben haben, bleibt gespeichert.",
                "Please try again in a few minutes. What you entered on earlier pages stays saved.",
            ),
        ),
        ("timeout", pick("Zeitüberschreitung", "The request took too long")),
        ("timeout_text", pick("Die Anfrage hat zu lange gedauert. Bitte versuchen Sie es noch einmal.", "Please try again.")),
        ("too_many", pick("Zu viele Versuche", "Too many attempts")),
        (
            "too_many_text",
            pick(
                "Von Ihrem Anschluss kamen zu viele ungültige Anfragen. Bitte warten Sie eine Minute und versuchen Sie es dann noch einmal.",
                "Too many invalid requests came from your connection. Please wait a minute and try again.",
            ),
        ),
        ("too_large", pick("Die Anfrage ist zu groß", "The request is too large")),
        (
            "too_large_text",
            pick(
                "Bitte laden Sie kleinere oder weniger Dateien hoch und versuchen Sie es noch einmal.",
                "Please upload smaller or fewer files and try again.",
            ),
        ),
        ("storage_full", pick("Ihre Angaben konnten nicht gespeichert werden", "Your answers could not be saved")),
        (
            "storage_full_text",
            pick(
                "Der Speicher des Dienstes ist gerade voll. Bitte versuchen Sie es später noch einmal; Ihre früheren Angaben bleiben erhalten.",
                "The service's storage is full right now. Please try again later; your earlier answers are kept.",
            ),
        ),
        (
            "upload_failed",
            pick(
                "Die Datei konnte nicht gespeichert werden. Bitte versuchen Sie es später noch einmal.",
                "The file could not be saved. Please try again later.",
            ),
        ),
        (
            "answer_too_long",
            pick(
                "Die Eingabe ist zu lang: erlaubt sind höchstens {n} Zeichen.",
                "The answer is too long: at most {n} characters are allowed.",
            ),
        ),
        ("not_an_option", pick("Bitte wählen Sie nur aus den angebotenen Möglichkeiten.", "Please choose only from the options offered.")),
        (
            "draft_too_large",
            pick(
                "Ihr Antrag ist zu umfangreich geworden: zusammen mit den hochgeladenen Dateien sind höchstens {n} MB möglich. Bitte kürzen Sie Ihre Angaben oder laden Sie kleinere Dateien hoch.",
                "Your application has grown too large: at most {n} MB are possible, uploaded files included. Please shorten your answers or upload smaller files.",
            ),
        ),
        ("new_questions", pick("Neue Fragen", "New questions")),
        (
            "new_questions_text",
            pick(
                "Auf Grund Ihrer Antworten sind weitere Fragen hinzugekommen. Bitte beantworten Sie sie:",
                "Because of your answers there are more questions. Please answer them:",
            ),
        ),
        ("language", pick("Sprache", "Language")),
        ("imprint", pick("Impressum", "Imprint")),
        ("privacy", pick("Datenschutz", "Privacy")),
        ("accessibility", pick("Barrierefreiheit", "Accessibility")),
        ("exit_back", pick("Angaben ändern", "Change your answers")),
        // Login (server/account/).
        ("login_button", pick("Mit BundID / Servicekonto anmelden", "Log in with BundID / Servicekonto")),
        (
            "login_optional",
            pick(
                "Wenn Sie sich anmelden, übernehmen wir Angaben aus Ihrem Konto. Sie können den Antrag auch ohne Anmeldung stellen.",
                "If you log in, we fill in details from your account. You can also apply without logging in.",
            ),
        ),
        (
            "login_required",
            pick(
                "Für diesen Antrag müssen Sie sich anmelden, zum Beispiel mit der BundID oder Ihrem Servicekonto.",
                "For this application you need to log in, for example with BundID or your Servicekonto.",
            ),
        ),
        ("login_level", pick("Nötiges Vertrauensniveau:", "Trust level needed:")),
        ("logged_in", pick("Sie sind angemeldet.", "You are logged in.")),
        ("logout", pick("Abmelden", "Log out")),
        ("logged_out", pick("Sie sind abgemeldet", "You are logged out")),
        (
            "logged_out_text",
            pick(
                "Ihre Anmeldung bei diesem Dienst ist beendet. Schließen Sie auf einem fremden Gerät auch das Browserfenster.",
                "Your login to this service has ended. On a shared device, close the browser window too.",
            ),
        ),
        ("login_failed", pick("Die Anmeldung hat nicht geklappt", "The login did not work")),
        (
            "login_failed_text",
            pick(
                "Die Anmeldung konnte nicht bestätigt werden. Bitte starten Sie die Anmeldung noch einmal über die Seite des Antrags.",
                "The login could not be confirmed. Please start the login again from the application's page.",
            ),
        ),
        ("from_account", pick("Aus Ihrem Konto übernommen.", "Taken from your account.")),
        (
            "locked_text",
            pick(
                "Diese Angabe können Sie hier nicht ändern. Ist sie falsch, lassen Sie sie bitte in Ihrem Konto berichtigen.",
                "You cannot change this here. If it is wrong, please have it corrected in your account.",
            ),
        ),
        ("trust_title", pick("Eine sicherere Anmeldung ist nötig", "A more secure login is needed")),
        (
            "trust_text",
            pick(
                "Für diesen Antrag muss sicher feststehen, wer ihn stellt. Ihre Anmeldung reicht dafür nicht aus.",
                "For this application it must be certain who is applying. Your login is not enough for that.",
            ),
        ),
        ("trust_needed", pick("Nötig ist das Vertrauensniveau", "The trust level needed is")),
        ("trust_have", pick("Ihre Anmeldung hat das Vertrauensniveau", "Your login has the trust level")),
        ("trust_none", pick("Ihre Anmeldung nennt kein Vertrauensniveau.", "Your login names no trust level.")),
        (
            "trust_how",
            pick(
                "So geht es: Melden Sie sich ab und wieder an, diesmal mit dem Online-Ausweis (Personalausweis mit PIN und der AusweisApp) oder, wenn „substantiell“ genügt, mit Ihrem ELSTER-Zertifikat.",
                "How: log out and log in again, this time with the online ID card (ID card with PIN and the AusweisApp) or, where \u{201e}substantiell\u{201c} is enough, with your ELSTER certificate.",
            ),
        ),
        ("level_basis", pick("„basis“ (Benutzername und Passwort)", "\u{201e}basis\u{201c} (user name and password)")),
        (
            "level_substantiell",
            pick("„substantiell“ (zum Beispiel ELSTER-Zertifikat)", "\u{201e}substantiell\u{201c} (for example an ELSTER certificate)"),
        ),
        ("level_hoch", pick("„hoch“ (Online-Ausweis)", "\u{201e}hoch\u{201c} (online ID card)")),
    ])
}

/// One field on a page.
#[derive(Debug, Serialize, Default)]
pub struct FieldView {
    /// The field path: the input's `id` and `name`.
    pub path: String,
    /// Not active now: rendered with `hidden`, so that the browser module can show it
    /// without a round trip (the server never reads a posted value for it).
    pub hidden: bool,
    /// How to render it: input, textarea, radios, checkbox, checkboxes, select, file,
    /// computed, info, group, repeat.
    pub kind: &'static str,
    /// The `type` of an `<input>`.
    pub input_type: &'static str,
    /// `inputmode`.
    pub inputmode: Option<&'static str>,
    /// `autocomplete`.
    pub autocomplete: Option<String>,
    /// The label (legend for groups and radios).
    pub label: String,
    /// The hint.
    pub hint: Option<String>,
    /// Marked "(optional)".
    pub optional: bool,
    /// The current value (as typed).
    pub value: String,
    /// Ticked values of checkboxes.
    pub values: Vec<String>,
    /// Options.
    pub options: Vec<OptionView>,
    /// The error message.
    pub error: Option<String>,
    /// Members of a group.
    pub members: Vec<FieldView>,
    /// Entries of a repeated group.
    pub entries: Vec<EntryView>,
    /// The add button of a repeated group.
    pub add: Option<String>,
    /// The text of an info field.
    pub text: Option<String>,
    /// `maxlength`.
    pub maxlength: Option<u32>,
    /// `accept` of a file input.
    pub accept: Option<String>,
    /// The answer came from the citizen's account (marked "aus Ihrem Konto").
    pub from_account: bool,
    /// Locked to the account's value: rendered `readonly` with a text that says why.
    pub locked: bool,
}

/// One option.
#[derive(Debug, Serialize)]
pub struct OptionView {
    /// The value.
    pub value: String,
    /// The label.
    pub label: String,
    /// The hint.
    pub hint: Option<String>,
    /// Selected.
    pub checked: bool,
}

/// One entry of a repeated group.
#[derive(Debug, Serialize)]
pub struct EntryView {
    /// The entry's number, from 1.
    pub number: u32,
    /// Its legend: the author's label as it reads for this entry (`Hund {{ index }}` →
    /// "Hund 2"); a label that does not change per entry followed by "Eintrag 2"; or just
    /// "Eintrag 2" without a label.
    pub legend: String,
    /// The entry's path (`hund.0`), the value of its remove button.
    pub path: String,
    /// Its fields.
    pub fields: Vec<FieldView>,
    /// Can be removed.
    pub removable: bool,
}

/// Every field instance of a step (groups included), in page order: the engine's
/// [`Session::step_instances`].
pub fn step_instances(s: &Session<'_>, step: StepId) -> Vec<Instance> {
    s.step_instances(step)
}

/// The paths of the active field instances of a step.
pub fn active_paths(s: &Session<'_>, step: StepId) -> BTreeSet<String> {
    let all = step_instances(s, step);
    all.into_iter().filter_map(|i| if s.is_shown(i) { Some(s.path_of(i)) } else { None }).collect()
}

/// A question a post revealed (without JavaScript): named in the notice above the form.
#[derive(Debug, Serialize)]
pub struct NewQuestion {
    /// The field's path (the link's target; the first one gets the focus).
    pub path: String,
    /// Its label.
    pub label: String,
}

/// The input fields among `revealed` (paths that became active through the post), in the
/// order of the step, with their labels.
pub fn new_questions(s: &Session<'_>, step: StepId, revealed: &BTreeSet<&String>) -> Vec<NewQuestion> {
    let mut out = Vec::new();
    if revealed.is_empty() {
        return out;
    }
    for inst in step_instances(s, step) {
        let field = s.form().field(inst.field);
        if !field.ty.is_input() {
            continue;
        }
        let path = s.path_of(inst);
        if revealed.contains(&path) {
            let label = text(s, &field.label, inst.entry).unwrap_or_else(|| field.id.clone());
            out.push(NewQuestion { path, label });
        }
    }
    out
}

/// The view of a step's fields, with the errors to show by path. Inactive fields are in it
/// too, marked [`FieldView::hidden`].
pub fn step_fields(s: &Session<'_>, step: StepId, errors: &HashMap<String, String>) -> Vec<FieldView> {
    let fields = s.form().step(step).fields.clone();
    fields.into_iter().map(|f| field_view(s, f, None, errors)).collect()
}

fn text(s: &Session<'_>, t: &Option<engine::form::Text>, entry: Option<u32>) -> Option<String> {
    t.as_ref().map(|t| s.render(t, entry)).filter(|t| !t.is_empty())
}

fn field_view(s: &Session<'_>, f: FieldId, entry: Option<u32>, errors: &HashMap<String, String>) -> FieldView {
    let form = s.form();
    let field = form.field(f);
    let inst = Instance { field: f, entry };
    let hidden = !s.is_shown(inst);
    let path = s.path_of(inst);
    let mut v = FieldView {
        path: path.clone(),
        hidden,
        label: text(s, &field.label, entry).unwrap_or_default(),
        hint: text(s, &field.hint, entry),
        error: errors.get(&path).cloned(),
        optional: field.ty.is_input() && field.required.is_none() && field.ty != FieldType::Consent,
        autocomplete: field.autocomplete.clone(),
        maxlength: field.max_length,
        input_type: "text",
        from_account: s.from_account(&path),
        locked: s.is_locked(&path),
        ..FieldView::default()
    };
    // Until the citizen answers, the field's default is the answer (docs/form-language.md#default): show it.
    match s.answer(&path).or(field.default.as_ref()) {
        Some(Input::Text(t)) => v.value = t.clone(),
        Some(Input::Bool(b)) => v.value = b.to_string(),
        Some(Input::List(l)) => v.values = l.clone(),
        Some(Input::File(file)) => v.value = file.name.clone(),
        None => {}
    }
    v.kind = match field.ty {
        FieldType::Info => {
            v.text = text(s, &field.text, entry).or_else(|| Some(v.label.clone()));
            "info"
        }
        FieldType::Computed => {
            let val = s.value(inst);
            let how = if field.format == Some(Format::Money) { Display::Euro } else { Display::Plain };
            v.value = s.display(&val, how, entry);
            "computed"
        }
        FieldType::Group if field.is_repeated() => {
            let r = field.repeat.clone().expect("repeated");
            let count = s.entry_count(f);
            for e in 0..count {
                let fields = field.members.iter().map(|m| field_view(s, *m, Some(e), errors)).collect();
                let legend = entry_legend(s, f, e);
                v.entries.push(EntryView { number: e + 1, legend, path: format!("{path}.{e}"), fields, removable: count > r.min.max(1) });
            }
            // A label that names each entry (`Hund {{ index }}`) reads "Hund " for the
            // whole list: the entries' legends carry it, the list has no heading of its own.
            if field.label.as_ref().is_some_and(has_placeholder) {
                v.label = String::new();
            }
            if count < r.max.unwrap_or(engine::session::MAX_ENTRIES) {
                v.add = Some(r.add_label.as_ref().map(|t| s.render(t, entry)).unwrap_or_default());
            }
            "repeat"
        }
        FieldType::Group => {
            v.members = field.members.iter().map(|m| field_view(s, *m, entry, errors)).collect();
            "group"
        }
        FieldType::Textarea => "textarea",
        FieldType::Boolean => "boolean",
        FieldType::Consent => "checkbox",
        FieldType::Choice | FieldType::MultiChoice => {
            let n = field.options.len();
            for i in 0..n {
                if !s.option_shown(f, entry, i) {
                    continue;
                }
                let o = &form.field(f).options[i];
                let checked = if field.ty == FieldType::MultiChoice { v.values.contains(&o.value) } else { v.value == o.value };
                let label = s.render(&o.label, entry);
                let hint = text(s, &o.hint, entry);
                v.options.push(OptionView { value: o.value.clone(), label, hint, checked });
            }
            if field.ty == FieldType::MultiChoice {
                "checkboxes"
            } else if field.display.as_deref() == Some("select") {
                "select"
            } else {
                "radios"
            }
        }
        FieldType::File => {
            v.accept = (!field.accept.is_empty()).then(|| field.accept.join(","));
            "file"
        }
        FieldType::Email => {
            v.input_type = "email";
            "input"
        }
        FieldType::Phone => {
            v.input_type = "tel";
            "input"
        }
        FieldType::Plz | FieldType::Integer => {
            v.inputmode = Some("numeric");
            "input"
        }
        FieldType::Number | FieldType::Money => {
            v.inputmode = Some("decimal");
            "input"
        }
        FieldType::Date => {
            if v.hint.is_none() {
                v.hint = Some(texts(s.language())["date_hint"].to_string());
            }
            "input"
        }
        FieldType::Text | FieldType::Iban | FieldType::SteuerId => "input",
    };
    v
}

/// Whether a text has `{{ }}` placeholders (its words depend on answers or the entry).
fn has_placeholder(t: &engine::form::Text) -> bool {
    t.langs.iter().any(|(_, parts)| parts.iter().any(|p| matches!(p, engine::form::TPart::Expr(..))))
}

/// The heading of one entry of a repeated group, on the step page and the summary: the
/// author's label rendered for the entry (`Hund {{ index }}` → "Hund 1"); a label without
/// placeholders (the same for every entry) followed by "Eintrag N"; "Eintrag N" without a
/// label.
pub fn entry_legend(s: &Session<'_>, group: FieldId, entry: u32) -> String {
    let generic = format!("{} {}", texts(s.language())["entry"], entry + 1);
    let label = s.form().field(group).label.clone();
    match label {
        Some(t) if has_placeholder(&t) => {
            let l = s.render(&t, Some(entry));
            if l.trim().is_empty() { generic } else { l.trim().to_string() }
        }
        Some(t) => {
            let l = s.render(&t, Some(entry));
            if l.trim().is_empty() { generic } else { format!("{}: {generic}", l.trim()) }
        }
        None => generic,
    }
}

/// One answer on the summary page.
#[derive(Debug, Serialize)]
pub struct SummaryRow {
    /// The question.
    pub label: String,
    /// The answer as shown.
    pub value: String,
    /// An IBAN's groups of four, each kept whole when the line wraps.
    pub groups: Option<Vec<String>>,
    /// The change link (none for computed values and locked answers).
    pub href: Option<String>,
    /// The answer came from the citizen's account.
    pub from_account: bool,
}

/// Answers shown together: the plain fields of a step, or one entry of a repeated group
/// with its own heading and change link (GOV.UK "Check your answers" with a card per
/// entry).
#[derive(Debug, Serialize)]
pub struct SummaryBlock {
    /// The entry's heading (its legend on the step page); none for plain fields.
    pub heading: Option<String>,
    /// The change link of the whole entry.
    pub href: Option<String>,
    /// Its answers.
    pub rows: Vec<SummaryRow>,
}

/// One step on the summary page.
#[derive(Debug, Serialize)]
pub struct SummaryStep {
    /// The step's title.
    pub title: String,
    /// Its answers, in the order of the step.
    pub blocks: Vec<SummaryBlock>,
}

/// The summary: every active field with a value, by step on the path; each entry of a
/// repeated group as a block of its own. `form_url` is the form's address (`/f/{form}`,
/// under an authority `/{authority}/f/{form}`): the edit links go to its steps. An error
/// when the evaluation budget ran out, on the way too (the path is asked again last).
pub fn summary(s: &Session<'_>, form_url: &str) -> Result<Vec<SummaryStep>, BudgetExhausted> {
    let mut out = Vec::new();
    for &step in s.path()? {
        let form = s.form();
        let st = form.step(step);
        let title = text(s, &st.title, None).unwrap_or_else(|| st.id.clone());
        let step_url = format!("{form_url}/s/{}", st.id);
        let mut blocks = Vec::new();
        let mut plain = Vec::new();
        for f in st.fields.clone() {
            summary_field(s, f, None, &step_url, &mut plain, &mut blocks);
        }
        if !plain.is_empty() {
            blocks.push(SummaryBlock { heading: None, href: None, rows: plain });
        }
        if !blocks.is_empty() {
            out.push(SummaryStep { title, blocks });
        }
    }
    s.path()?;
    Ok(out)
}

/// Adds a field (and its members) to the summary: rows to `plain`, each non-empty entry of
/// a repeated group as a block of its own (the plain rows before it closed into a block
/// first, so the order of the step is kept).
fn summary_field(
    s: &Session<'_>,
    f: FieldId,
    entry: Option<u32>,
    step_url: &str,
    plain: &mut Vec<SummaryRow>,
    blocks: &mut Vec<SummaryBlock>,
) {
    let form = s.form();
    let field = form.field(f);
    if field.is_repeated() {
        for e in 0..s.entry_count(f) {
            let mut rows = Vec::new();
            for m in &field.members {
                summary_field(s, *m, Some(e), step_url, &mut rows, blocks);
            }
            if rows.is_empty() {
                continue;
            }
            if !plain.is_empty() {
                blocks.push(SummaryBlock { heading: None, href: None, rows: std::mem::take(plain) });
            }
            let heading = entry_legend(s, f, e);
            let href = Some(format!("{step_url}#{}.{e}", s.path_of(Instance { field: f, entry: None })));
            blocks.push(SummaryBlock { heading: Some(heading), href, rows });
        }
        return;
    }
    if field.ty == FieldType::Group {
        for m in &field.members {
            summary_field(s, *m, entry, step_url, plain, blocks);
        }
        return;
    }
    let inst = Instance { field: f, entry };
    if !(field.ty.is_input() || field.ty == FieldType::Computed) || !s.is_active(inst) {
        return;
    }
    let val = s.value(inst);
    if val.is_empty() {
        return;
    }
    let how = match field.ty {
        FieldType::Choice | FieldType::MultiChoice => Display::Choice(f),
        FieldType::Money => Display::Euro,
        FieldType::Computed if field.format == Some(Format::Money) => Display::Euro,
        _ => Display::Plain,
    };
    let value = s.display(&val, how, entry);
    let groups = (field.ty == FieldType::Iban).then(|| engine::checks::iban_groups(&value));
    let label = text(s, &field.label, entry).unwrap_or_else(|| field.id.clone());
    let p = s.path_of(inst);
    // Computed values have no change link: the citizen cannot change them.
    // Locked answers neither: they are the account's.
    let href = (field.ty != FieldType::Computed && !s.is_locked(&p)).then(|| format!("{step_url}#{p}"));
    let from_account = s.from_account(&p);
    plain.push(SummaryRow { label, value, groups, href, from_account });
}
