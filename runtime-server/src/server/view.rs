//! From the engine's view model (`engine::view`: [`Session::step_view`],
//! [`Session::summary_view`]) to the templates' context, adding only what is HTML: the
//! template's name for a kind, input types, `inputmode`, the error shown, links. Also the
//! interface texts in German and English and the template environment (built-in
//! templates, each of which an authority can replace with a file of the same name in
//! `--templates DIR`).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use engine::session::{BudgetExhausted, Session};
use engine::view::{self as ev, FieldKind};
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
        ("choose", pick("Bitte auswählen", "Please choose")),
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
        ("pdf_pending", pick("wird gerade erstellt", "being prepared")),
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
        ("pdf_unavailable", pick("Für diesen Antrag gibt es kein PDF", "There is no PDF of this application")),
        (
            "pdf_unavailable_text",
            pick(
                "Ihr Antrag ist eingegangen, und die Behörde hat Ihre Angaben. Ein PDF kann für diesen Antrag nicht erstellt werden. Bei Fragen wenden Sie sich bitte an die Behörde.",
                "Your application has been received, and the authority has your answers. A PDF cannot be made of this application. If you have questions, please contact the authority.",
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

/// One field on a page: the engine's [`ev::FieldView`] with what the templates need for
/// HTML. The context of `field.html`, which an authority may replace: its names stay.
#[derive(Debug, Serialize, Default)]
pub struct FieldView {
    /// The field path: the input's `id` and `name`.
    pub path: String,
    /// Not shown now: rendered with `hidden`, so that the browser module can show it
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
    /// The options offered now.
    pub options: Vec<OptionView>,
    /// The error message.
    pub error: Option<String>,
    /// Members of a group.
    pub members: Vec<FieldView>,
    /// Entries of a repeated group.
    pub entries: Vec<EntryView>,
    /// The add button of a repeated group (its label; empty: the interface's).
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
    /// Its legend ([`ev::entry_legend`]).
    pub legend: String,
    /// The entry's path (`hund.0`), the value of its remove button.
    pub path: String,
    /// Its fields.
    pub fields: Vec<FieldView>,
    /// Can be removed.
    pub removable: bool,
}

/// The view of a step's fields (the engine's), with the errors to show by path. Fields
/// that are not shown are in it too, marked [`FieldView::hidden`].
pub fn step_fields(view: &ev::StepView, errors: &HashMap<String, String>) -> Vec<FieldView> {
    view.fields.iter().map(|f| field_view(f, errors)).collect()
}

/// How the template renders a kind: its name in `field.html`, the `<input>` type and
/// `inputmode`.
fn html_kind(kind: FieldKind) -> (&'static str, &'static str, Option<&'static str>) {
    match kind {
        FieldKind::Info => ("info", "text", None),
        FieldKind::Computed => ("computed", "text", None),
        FieldKind::Repeat => ("repeat", "text", None),
        FieldKind::Group => ("group", "text", None),
        FieldKind::Textarea => ("textarea", "text", None),
        FieldKind::Boolean => ("boolean", "text", None),
        FieldKind::Consent => ("checkbox", "text", None),
        FieldKind::Radios => ("radios", "text", None),
        FieldKind::Select => ("select", "text", None),
        FieldKind::Checkboxes => ("checkboxes", "text", None),
        FieldKind::File => ("file", "text", None),
        FieldKind::Email => ("input", "email", None),
        FieldKind::Phone => ("input", "tel", None),
        FieldKind::Plz | FieldKind::Integer => ("input", "text", Some("numeric")),
        FieldKind::Number | FieldKind::Money => ("input", "text", Some("decimal")),
        // Text, date, IBAN, Steuer-ID, and a kind a later engine adds: a text input.
        _ => ("input", "text", None),
    }
}

fn field_view(f: &ev::FieldView, errors: &HashMap<String, String>) -> FieldView {
    let (kind, input_type, inputmode) = html_kind(f.kind);
    // Yes/no has its options in the template (its own words for them).
    let options = if f.kind == FieldKind::Boolean { &[][..] } else { &f.options[..] };
    FieldView {
        path: f.path.clone(),
        hidden: !f.shown,
        kind,
        input_type,
        inputmode,
        autocomplete: f.autocomplete.clone(),
        label: f.label.clone(),
        hint: f.hint.clone(),
        optional: f.optional,
        value: f.value.clone(),
        values: f.values.clone(),
        options: options
            .iter()
            .filter(|o| o.shown)
            .map(|o| OptionView { value: o.value.clone(), label: o.label.clone(), hint: o.hint.clone(), checked: o.checked })
            .collect(),
        error: errors.get(&f.path).cloned(),
        members: f.members.iter().map(|m| field_view(m, errors)).collect(),
        entries: f
            .entries
            .iter()
            .map(|e| EntryView {
                number: e.number,
                legend: e.legend.clone(),
                path: e.path.clone(),
                fields: e.fields.iter().map(|m| field_view(m, errors)).collect(),
                removable: e.removable,
            })
            .collect(),
        add: f.can_add.then(|| f.add_label.clone().unwrap_or_default()),
        text: f.text.clone(),
        maxlength: f.maxlength,
        accept: (!f.accept.is_empty()).then(|| f.accept.join(",")),
        from_account: f.from_account,
        locked: f.locked,
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
/// with its own heading and change link.
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

/// The summary page's steps: the engine's [`Session::summary_view`] with change links.
/// `form_url` is the form's address (`/f/{form}`, under an authority
/// `/{authority}/f/{form}`): the links go to its steps.
pub fn summary(s: &Session<'_>, form_url: &str) -> Result<Vec<SummaryStep>, BudgetExhausted> {
    let view = s.summary_view()?;
    Ok(view
        .steps
        .into_iter()
        .map(|st| {
            let step_url = format!("{form_url}/s/{}", st.step);
            let blocks = st
                .blocks
                .into_iter()
                .map(|b| SummaryBlock {
                    heading: b.heading,
                    href: b.path.map(|p| format!("{step_url}#{p}")),
                    rows: b
                        .rows
                        .into_iter()
                        .map(|r| SummaryRow {
                            href: r.changeable.then(|| format!("{step_url}#{}", r.path)),
                            label: r.label,
                            value: r.value,
                            groups: r.groups,
                            from_account: r.from_account,
                        })
                        .collect(),
                })
                .collect();
            SummaryStep { title: st.title, blocks }
        })
        .collect())
}
