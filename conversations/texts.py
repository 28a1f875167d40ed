"""The engine's own texts (controls, re-asks, privacy) in German and English."""

from __future__ import annotations

from conversations.model import Language

_TEXTS: dict[str, tuple[str, str]] = {
    # key: (German, English)
    "consent_yes": ("Ja, einverstanden", "Yes, I agree"),
    "consent_no": ("Nein, danke", "No, thanks"),
    "consent_reask": (
        "Bevor wir loslegen, brauche ich Ihre Antwort auf diese Frage – bitte tippen Sie auf "
        "einen der Knöpfe (oder schreiben Sie „ja“ oder „nein“).",
        "Before we start I need your answer to this question – please tap one of the buttons "
        "(or type “yes” or “no”).",
    ),
    "consent_declined": (
        "Alles klar – ich speichere nichts von dem, was Sie schreiben. Danke für Ihre Zeit! "
        "Wenn Sie es sich anders überlegen, senden Sie einfach /start.",
        "All right – I will not keep anything you write. Thank you for your time! "
        "If you change your mind, just send /start.",
    ),
    "empty_answer": (
        "Da ist nichts angekommen. Erzählen Sie gern in ein paar Worten davon.",
        "Nothing came through. Feel free to tell me in a few words.",
    ),
    "choice_reask": (
        "Bitte wählen Sie eine der Antworten – tippen Sie auf einen Knopf oder schreiben Sie "
        "die Nummer.",
        "Please pick one of the answers – tap a button or type its number.",
    ),
    "choice_reask_multiple": (
        "Bitte wählen Sie mindestens eine Antwort und tippen Sie dann auf „Fertig“ – oder "
        "schreiben Sie die Nummern, z. B. „1, 3“.",
        "Please pick at least one answer and then tap “Done” – or type the numbers, e.g. “1, 3”.",
    ),
    "choice_done": ("Fertig", "Done"),
    "choice_noted": ("Danke, notiert.", "Thanks, noted."),
    "mirror_confirm": ("Ja, das stimmt so", "Yes, that's right"),
    "mirror_correct": ("Etwas korrigieren", "Correct something"),
    "mirror_pick": ("Was möchten Sie korrigieren?", "What would you like to correct?"),
    "mirror_other": ("Etwas anderes", "Something else"),
    "mirror_fix_prompt": (
        "Wie ist es richtig? Schreiben Sie es mir einfach in Ihren Worten.",
        "What is right? Just write it in your own words.",
    ),
    "mirror_fixed": ("Danke, ich habe es korrigiert:", "Thank you, I have corrected it:"),
    "mirror_noted": (
        "Danke, ich habe Ihre Ergänzung notiert.",
        "Thank you, I have noted your addition.",
    ),
    "mirror_empty": ("(keine Antwort)", "(no answer)"),
    "paused": (
        "Pausiert. Wenn Sie weitermachen möchten, schreiben Sie einfach weiter oder senden "
        "Sie /resume.",
        "Paused. When you want to go on, just write or send /resume.",
    ),
    "resumed": (
        "Schön, dass Sie wieder da sind! Wir waren hier stehen geblieben:",
        "Good to have you back! This is where we stopped:",
    ),
    "not_paused": ("Wir sind mitten im Gespräch:", "We are in the middle of our conversation:"),
    "stopped": (
        "Gespräch beendet – vielen Dank! Was Sie bisher geschrieben haben, bleibt gespeichert; "
        "mit /forget lösche ich alles. Mit /start beginnen Sie ein neues Gespräch.",
        "Conversation ended – thank you! What you wrote so far is kept; /forget erases it all. "
        "/start begins a new conversation.",
    ),
    "stopped_unconsented": (
        "Alles klar, beendet. Es wurde nichts gespeichert. Mit /start können Sie jederzeit "
        "neu beginnen.",
        "All right, ended. Nothing was stored. Send /start whenever you want to begin again.",
    ),
    "skipped": ("In Ordnung, die Frage lassen wir aus.", "All right, let's skip that question."),
    "cannot_skip_consent": (
        "Diese Frage kann ich nicht überspringen – ohne Ihr Einverständnis speichere ich "
        "nichts. Mit /stop beenden Sie das Gespräch.",
        "I can't skip this question – without your consent I keep nothing. "
        "/stop ends the conversation.",
    ),
    "language_prompt": ("Welche Sprache ist Ihnen lieber?", "Which language do you prefer?"),
    "language_set": ("Gern, ab jetzt auf Deutsch.", "Sure, English from now on."),
    "no_dialogue": (
        "Gerade läuft kein Gespräch. Mit /start beginnen wir eins.",
        "There is no conversation going on. Send /start to begin one.",
    ),
    "already_running": (
        "Wir sind schon im Gespräch – machen wir da weiter, wo wir waren:",
        "We are already talking – let's go on where we were:",
    ),
    "after_end_added": (
        "Danke, ich habe das zu unserem Gespräch hinzugefügt. Mit /start beginnen Sie ein "
        "neues Gespräch.",
        "Thank you, I have added that to our conversation. Send /start to begin a new one.",
    ),
    "stale_button": (
        "Diese Frage ist schon beantwortet.",
        "This question has already been answered.",
    ),
    "nudge": (
        "Eine kleine Erinnerung, ganz ohne Eile: Ich freue mich, wenn Sie weitererzählen. "
        "Mit /pause pausieren Sie, mit /stop beenden Sie das Gespräch.",
        "A gentle reminder, no rush: I would be glad to hear more from you. "
        "/pause pauses, /stop ends the conversation.",
    ),
    "non_text": (
        "Danke! {what} kann ich leider nicht auswerten – bitte schreiben Sie mir Ihre Antwort "
        "als Text. Ich bewahre nur einen Hinweis darauf auf, nicht den Inhalt.",
        "Thank you! I can't take {what}, I'm afraid – please write your answer as text. "
        "I keep only a note that you sent it, not its content.",
    ),
    "non_text_voice": ("Sprachnachrichten", "voice messages"),
    "non_text_video_note": ("Videonachrichten", "video messages"),
    "non_text_video": ("Videos", "videos"),
    "non_text_audio": ("Audiodateien", "audio files"),
    "non_text_sticker": ("Sticker", "stickers"),
    "non_text_photo": ("Bilder", "pictures"),
    "non_text_document": ("Dateien", "files"),
    "non_text_location": ("Standorte", "locations"),
    "non_text_contact": ("Kontakte", "contacts"),
    "non_text_other": ("Diese Art Nachricht", "this kind of message"),
    "unknown_command": (
        "Diesen Befehl kenne ich nicht. /help zeigt, was ich verstehe.",
        "I don't know that command. /help shows what I understand.",
    ),
    "help": (
        "Ich führe ein offenes Gespräch mit Ihnen: Sie erzählen, ich höre zu und frage nach. "
        "Antworten Sie einfach in Ihren Worten, gern auch in mehreren Nachrichten.\n\n"
        "/pause – Pause machen (später geht es an derselben Stelle weiter)\n"
        "/resume – weitermachen\n"
        "/skip – eine Frage überspringen\n"
        "/stop – das Gespräch beenden\n"
        "/language – Sprache wechseln (Deutsch/English)\n"
        "/privacy – was ich speichere und warum\n"
        "/mydata – Ihre gespeicherten Daten anzeigen\n"
        "/unsubscribe – keine Zusammenfassungen mehr bekommen\n"
        "/forget – alle Ihre Daten löschen\n"
        "/start – ein neues Gespräch beginnen",
        "I hold an open conversation with you: you tell, I listen and ask follow-up questions. "
        "Just answer in your own words, in several messages if you like.\n\n"
        "/pause – take a break (we go on at the same point later)\n"
        "/resume – go on\n"
        "/skip – skip a question\n"
        "/stop – end the conversation\n"
        "/language – switch language (Deutsch/English)\n"
        "/privacy – what I store and why\n"
        "/mydata – show the data stored about you\n"
        "/unsubscribe – stop receiving summaries\n"
        "/forget – erase all your data\n"
        "/start – begin a new conversation",
    ),
    "privacy": (
        "Datenschutz bei {org_name}\n\n"
        "Was ich speichere: erst nach Ihrem Einverständnis Ihre Antworten in diesem Gespräch, "
        "Ihre Einwilligungen (mit Zeitpunkt) und Ihren Telegram-Namen, damit ich ihn aus "
        "veröffentlichten Zusammenfassungen sicher entfernen kann. Vorher nur Ihre "
        "Telegram-Nummer, damit ich Ihnen antworten kann.\n"
        "Wozu: damit {org_name} versteht, was Kundinnen und Kunden brauchen. Veröffentlicht "
        "werden nur anonymisierte Zusammenfassungen – Zitate nur, wenn Sie zustimmen.\n"
        "Wie lange: {retention}\n"
        "Ihre Rechte: /mydata zeigt alles, was über Sie gespeichert ist; /forget löscht alles "
        "sofort und endgültig. Sie können jederzeit mit /stop aufhören.",
        "Privacy at {org_name}\n\n"
        "What I store: only after you consent, your answers in this conversation, your consents "
        "(with time) and your Telegram name, so that I can reliably remove it from published "
        "summaries. Before that only your Telegram number, so that I can reply to you.\n"
        "Why: so that {org_name} understands what its customers need. Only anonymised "
        "summaries are published – quotes only if you agree.\n"
        "How long: {retention}\n"
        "Your rights: /mydata shows everything stored about you; /forget erases everything at "
        "once and for good. You can stop at any time with /stop.",
    ),
    "retention_days": (
        "{days} Tage nach dem Gespräch werden Ihre Antworten {action}.",
        "{days} days after the conversation your answers are {action}.",
    ),
    "retention_action_anonymise": ("anonymisiert", "anonymised"),
    "retention_action_delete": ("gelöscht", "deleted"),
    "retention_forever": (
        "bis Sie sie mit /forget löschen oder wir das Projekt beenden.",
        "until you erase them with /forget or we end the project.",
    ),
    "default_topic": ("ein Thema aus unserer Zusammenfassung", "a topic from our summary"),
    "unsubscribed": (
        "Erledigt: Sie bekommen keine Zusammenfassungen mehr. Mit /subscribe können Sie sie "
        "wieder bestellen.",
        "Done: you will get no more summaries. /subscribe orders them again.",
    ),
    "subscribed": (
        "Gern: Sie bekommen unsere nächste Zusammenfassung hier. /unsubscribe bestellt sie ab.",
        "Sure: you will get our next summary here. /unsubscribe cancels it.",
    ),
    "forget_confirm": (
        "Soll ich wirklich alles löschen, was ich über Sie gespeichert habe – alle Gespräche, "
        "Einwilligungen und Ihren Namen? Das lässt sich nicht rückgängig machen.",
        "Shall I really erase everything I have stored about you – all conversations, consents "
        "and your name? This cannot be undone.",
    ),
    "forget_yes": ("Ja, alles löschen", "Yes, erase everything"),
    "forget_no": ("Abbrechen", "Cancel"),
    "forget_cancelled": ("Gut, ich habe nichts gelöscht.", "Fine, I have erased nothing."),
    "forgotten": (
        "Erledigt: Alles, was ich über Sie gespeichert hatte, ist gelöscht. Mit /start können "
        "Sie jederzeit neu beginnen.",
        "Done: everything I had stored about you is erased. Send /start whenever you want to "
        "begin again.",
    ),
}


def text(key: str, language: Language, **values: object) -> str:
    """Return the engine text ``key`` in ``language``, with ``{name}`` values filled in."""
    german, english = _TEXTS[key]
    template = german if language == "de" else english
    return template.format(**values) if values else template


#: Whole answers that say nothing yet; they earn a follow-up question (see AskStep.vague).
VAGUE_ANSWERS: dict[Language, frozenset[str]] = {
    "de": frozenset(
        {
            "weiß nicht",
            "weiss nicht",
            "keine ahnung",
            "k.a.",
            "ka",
            "nichts",
            "nix",
            "nein",
            "ja",
            "egal",
            "alles",
            "alles gut",
            "passt",
            "passt schon",
            "geht so",
            "mal sehen",
            "schwer zu sagen",
            "keine",
            "nichts besonderes",
            "ok",
            "okay",
            "gut",
            "weiß ich nicht",
            "weiss ich nicht",
            "na ja",
            "naja",
            "vieles",
            "das übliche",
        }
    ),
    "en": frozenset(
        {
            "don't know",
            "dont know",
            "i don't know",
            "i dont know",
            "idk",
            "no idea",
            "nothing",
            "none",
            "no",
            "yes",
            "whatever",
            "everything",
            "all good",
            "fine",
            "ok",
            "okay",
            "good",
            "not sure",
            "hard to say",
            "the usual",
            "nothing special",
            "meh",
            "n/a",
            "na",
            "not much",
            "various things",
            "lots",
        }
    ),
}

#: Typed answers accepted at a consent step.
YES_WORDS = frozenset({"ja", "yes", "j", "y", "ok", "okay", "einverstanden", "gern", "gerne"})
NO_WORDS = frozenset({"nein", "no", "n", "nee", "nö", "no thanks", "nein danke"})
