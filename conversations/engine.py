"""The dialogue engine: ``handle(state, event, context) -> Result``, a pure function.

No I/O, no clock, no randomness: time and ids come in through :class:`Context`, everything the
channel should show and storage should keep goes out in :class:`Result`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from conversations import texts
from conversations.events import (
    Action,
    Button,
    ButtonsChanged,
    Command,
    ConsentGiven,
    Edited,
    Entry,
    EntryEdited,
    EntryKind,
    Event,
    NonText,
    Notice,
    Output,
    Press,
    Record,
    Reply,
    ReplyKind,
    Start,
    Text,
    Tick,
)
from conversations.keypoints import key_points
from conversations.model import (
    LANGUAGES,
    AskStep,
    ChoiceStep,
    Condition,
    ConsentStep,
    EndStep,
    Language,
    Localized,
    MirrorStep,
    Organisation,
    SayStep,
    Script,
    Step,
    fill,
)
from conversations.state import GENERAL_NOTE, AnswerPart, DialogueState

#: Tag of buttons that do not belong to one dialogue (language, erase confirmation).
GLOBAL_TAG = "-"
_DONE = "_done"
_WORD = re.compile(r"\w+")
_NUMBER_LIST = re.compile(r"^\s*\d+(\s*[,;/ ]\s*\d+)*\s*$")
_CONFIRM_WORDS = frozenset({"stimmt", "genau", "richtig", "passt", "correct", "right", "exactly"})


def _normalised(text: str) -> str:
    """Lower-case a short reply and drop surrounding punctuation (for yes/no matching)."""
    return " ".join(text.lower().split()).strip(" .!,")


@dataclass(frozen=True)
class Context:
    """What the engine needs besides state and event; injected so the engine stays pure."""

    script: Script
    organisation: Organisation
    now: datetime
    new_tag: Callable[[], str]
    language: Language = "en"
    settle_after: timedelta = timedelta(0)
    nudge_after: timedelta | None = timedelta(hours=24)
    retention_days: int | None = None
    retention_action: Literal["anonymise", "delete"] = "anonymise"
    #: For a follow-up dialogue: the topic (by language) it was started on.
    topic: dict[str, str] | None = None
    summarise: Callable[[str, Language], str] = field(
        default=lambda answer, _language: key_points(answer)
    )


@dataclass(frozen=True)
class Result:
    """The engine's answer: the new state (None: no dialogue), outputs and records."""

    state: DialogueState | None
    outputs: tuple[Output, ...]
    records: tuple[Record, ...]

    def replies(self) -> list[Reply]:
        """Return only the replies (convenient in tests and simple channels)."""
        return [o for o in self.outputs if isinstance(o, Reply)]


def handle(state: DialogueState | None, event: Event, context: Context) -> Result:
    """Apply ``event`` to the dialogue in ``state`` and return what follows from it."""
    if state is not None and (
        state.script_id != context.script.id or state.script_version != context.script.version
    ):
        raise ValueError(
            f"context script {context.script.id} v{context.script.version} does not match the"
            f" dialogue's pinned {state.script_id} v{state.script_version}"
        )
    turn = _Turn(state, context)
    turn.apply(event)
    return Result(turn.state, tuple(turn.outputs), tuple(turn.records))


class _Turn:
    """One application of an event; collects outputs and records while updating the state."""

    def __init__(self, state: DialogueState | None, context: Context) -> None:
        self.state = state
        self.ctx = context
        self.script = context.script
        self.outputs: list[Output] = []
        self.records: list[Record] = []

    # --- dispatch ---------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        customer_acted = not isinstance(event, Tick)
        if isinstance(event, Start):
            self.start(event.campaign)
        elif isinstance(event, Command):
            self.command(event.name, event.argument.strip())
        elif isinstance(event, Press):
            self.press(event.data)
        elif isinstance(event, Text):
            self.text(event.text, event.ref)
        elif isinstance(event, NonText):
            self.non_text(event)
        elif isinstance(event, Edited):
            self.edited(event.ref, event.text)
        elif isinstance(event, Tick):
            self.tick()
        self._set_timers(customer_acted)

    # --- helpers ---------------------------------------------------------------------------

    @property
    def language(self) -> Language:
        return self.state.language if self.state is not None else self.ctx.language

    def t(self, key: str, **values: object) -> str:
        return texts.text(key, self.language, **values)

    def local(self, value: Localized) -> str:
        values = self.ctx.organisation.placeholders(self.language)
        topic = self.state.topic if self.state is not None else None
        values["topic"] = (topic or {}).get(self.language) or self.t("default_topic")
        return fill(value.get(self.language), values)

    def live(self) -> DialogueState | None:
        return self.state if self.state is not None and self.state.live else None

    def update(self, **changes: object) -> DialogueState:
        assert self.state is not None
        self.state = self.state.model_copy(update=changes)
        return self.state

    def reply(
        self,
        text: str,
        buttons: tuple[tuple[Button, ...], ...] = (),
        kind: ReplyKind = "system",
        step_id: str | None = None,
        record: EntryKind | None = None,
    ) -> None:
        self.outputs.append(Reply(text, buttons, kind))
        if record is not None:
            self.record(Entry("bot", record, step_id, text, self.ctx.now))

    def record(self, entry: Entry) -> None:
        # Nothing of the dialogue is kept before the customer agreed to storage.
        if self.state is not None and self.state.consented:
            self.records.append(entry)

    def system(self, text: str) -> None:
        step = self.state.step_id if self.state else None
        self.record(Entry("system", "system", step, text, self.ctx.now))

    def current(self) -> Step:
        assert self.state is not None
        return self.script.step(self.state.step_id)

    def button(self, key: str, value: str, label: str) -> Button:
        assert self.state is not None
        return Button(label, f"{self.state.tag}|{key}|{value}")

    # --- start, commands ---------------------------------------------------------------------

    def start(self, campaign: str | None) -> None:
        state = self.live()
        if state is not None:
            if state.status == "paused":
                self.resume(announce=True)
            else:
                self.reply(self.t("already_running"))
                self.ask_current()
            return
        first = self.script.steps[0]
        self.state = DialogueState(
            tag=self.ctx.new_tag(),
            script_id=self.script.id,
            script_version=self.script.version,
            language=self.ctx.language,
            campaign=campaign,
            topic=self.ctx.topic,
            step_id=first.id,
        )
        self.enter(0)

    def command(self, name: str, argument: str) -> None:
        if name == "start":
            self.start(argument or None)
        elif name == "help":
            self.reply(self.t("help"))
        elif name == "privacy":
            self.reply(self.privacy_text())
        elif name == "language":
            self.language_command(argument.lower())
        elif name == "forget":
            yes = Button(self.t("forget_yes"), f"{GLOBAL_TAG}|!forget|yes")
            no = Button(self.t("forget_no"), f"{GLOBAL_TAG}|!forget|no")
            self.reply(self.t("forget_confirm"), ((yes, no),))
        elif name == "mydata":
            self.outputs.append(Action("export_data"))
        elif name in {"unsubscribe", "subscribe"}:
            wanted = name == "subscribe"
            self.records.append(ConsentGiven("updates", wanted, self.ctx.now))
            if self.live() is not None:
                state = self.live_state()
                self.update(consents={**state.consents, "updates": wanted})
            self.reply(self.t("subscribed" if wanted else "unsubscribed"))
        elif name in {"pause", "resume", "skip", "stop"}:
            if self.live() is None:
                self.reply(self.t("no_dialogue"))
            elif name == "pause":
                self.pause()
            elif name == "resume":
                self.resume(announce=True)
            elif name == "skip":
                self.skip()
            else:
                self.stop()
        else:
            self.reply(self.t("unknown_command"))

    def privacy_text(self) -> str:
        if self.ctx.retention_days is None:
            retention = self.t("retention_forever")
        else:
            action = self.t(f"retention_action_{self.ctx.retention_action}")
            retention = self.t("retention_days", days=self.ctx.retention_days, action=action)
        return self.t("privacy", org_name=self.ctx.organisation.name, retention=retention)

    def language_command(self, argument: str) -> None:
        if argument in LANGUAGES:
            self.set_language(argument)
            return
        buttons = (
            Button("Deutsch", f"{GLOBAL_TAG}|!lang|de"),
            Button("English", f"{GLOBAL_TAG}|!lang|en"),
        )
        self.reply(self.t("language_prompt"), (buttons,))

    def set_language(self, language: Language) -> None:
        self.outputs.append(Action("set_language", language))
        state = self.live()
        if state is not None:
            self.update(language=language)
        self.reply(texts.text("language_set", language))
        if state is not None:
            self.system(f"language: {language}")
            if state.status == "active":
                self.ask_current()

    def pause(self) -> None:
        self.update(status="paused", settle_at=None)
        self.system("paused by customer")
        self.reply(self.t("paused"))

    def resume(self, announce: bool) -> None:
        state = self.live()
        assert state is not None
        if state.status != "paused":
            if announce:
                self.reply(self.t("not_paused"))
                self.ask_current()
            return
        self.update(status="active")
        self.system("resumed by customer")
        if announce:
            self.reply(self.t("resumed"))
            self.ask_current()

    def skip(self) -> None:
        step = self.current()
        if isinstance(step, ConsentStep) and step.topic == "storage":
            self.reply(self.t("cannot_skip_consent"))
            return
        self.resume(announce=False)
        state = self.update(skipped=(*self.live_state().skipped, step.id), settle_at=None)
        self.system("skipped by customer")
        self.reply(self.t("skipped"))
        self.advance_from(state.step_id)

    def stop(self) -> None:
        consented = self.live_state().consented
        self.system("stopped by customer")
        self.close("stopped")
        self.reply(self.t("stopped" if consented else "stopped_unconsented"))

    def live_state(self) -> DialogueState:
        state = self.live()
        assert state is not None
        return state

    def close(self, status: Literal["finished", "stopped", "declined"]) -> None:
        # The transcript keeps the answers; the state lets go of them (data minimisation).
        self.update(
            status=status,
            parts={},
            corrections={},
            fix_parts=(),
            phase="waiting",
            fixing=None,
            settle_at=None,
            nudge_at=None,
        )

    # --- buttons ---------------------------------------------------------------------------------

    def press(self, data: str) -> None:
        pieces = data.split("|")
        if len(pieces) != 3:
            self.stale()
            return
        tag, key, value = pieces
        if tag == GLOBAL_TAG:
            self.global_press(key, value)
            return
        state = self.live()
        if state is None or tag != state.tag:
            self.stale()
            return
        step = self.current()
        if key != step.id:
            self.stale()
            return
        if isinstance(step, ConsentStep) and value in {"yes", "no"}:
            self.resume(announce=False)
            label = self.local(step.yes) if step.yes and value == "yes" else None
            label = label or (self.local(step.no) if step.no and value == "no" else None)
            self.outputs.append(ButtonsChanged(chosen=label or self.t(f"consent_{value}")))
            self.consent(step, value == "yes")
        elif isinstance(step, ChoiceStep) and (step.option(value) or value == _DONE):
            self.resume(announce=False)
            self.choose(step, value, from_button=True)
        elif isinstance(step, MirrorStep) and state.phase in {"mirror", "mirror_pick"}:
            self.resume(announce=False)
            self.mirror_press(step, value)
        else:
            self.stale()

    def stale(self) -> None:
        self.outputs.append(Notice(self.t("stale_button")))
        self.outputs.append(ButtonsChanged())

    def global_press(self, key: str, value: str) -> None:
        if key == "!lang" and value in LANGUAGES:
            self.outputs.append(ButtonsChanged(chosen="Deutsch" if value == "de" else "English"))
            self.set_language(value)
        elif key == "!forget" and value == "yes":
            self.outputs.append(ButtonsChanged(chosen=self.t("forget_yes")))
            self.outputs.append(Action("erase_participant"))
            self.reply(self.t("forgotten"))
            self.state = None
        elif key == "!forget" and value == "no":
            self.outputs.append(ButtonsChanged(chosen=self.t("forget_no")))
            self.reply(self.t("forget_cancelled"))
        else:
            self.stale()

    # --- text ------------------------------------------------------------------------------------

    def text(self, text: str, ref: str | None) -> None:
        state = self.state
        if state is None or not state.live:
            self.text_outside_dialogue(text, ref)
            return
        if not text.strip():
            self.reply(self.t("empty_answer"))
            return
        self.resume(announce=False)
        step = self.current()
        if isinstance(step, ConsentStep):
            self.consent_text(step, text, ref)
        elif isinstance(step, AskStep):
            self.record(Entry("customer", "answer", step.id, text, self.ctx.now, ref=ref))
            self.add_part(step.id, AnswerPart(text=text, ref=ref))
            self.schedule_settle()
        elif isinstance(step, ChoiceStep):
            self.choice_text(step, text, ref)
        elif isinstance(step, MirrorStep):
            self.mirror_text(step, text, ref)

    def text_outside_dialogue(self, text: str, ref: str | None) -> None:
        state = self.state
        ended = state is not None and state.status in {"finished", "stopped"}
        if ended and state is not None and state.consented and text.strip():
            # Nothing a customer sends is lost: a late addition joins the last dialogue.
            self.record(Entry("customer", "answer", "_after", text, self.ctx.now, ref=ref))
            self.reply(self.t("after_end_added"))
            return
        self.reply(self.t("no_dialogue"))

    def add_part(self, step_id: str, part: AnswerPart) -> None:
        state = self.live_state()
        parts = dict(state.parts)
        parts[step_id] = (*parts.get(step_id, ()), part)
        self.update(parts=parts)

    def schedule_settle(self) -> None:
        if self.ctx.settle_after <= timedelta(0):
            self.settle()
        else:
            self.update(settle_at=self.ctx.now + self.ctx.settle_after)

    def non_text(self, event: NonText) -> None:
        state = self.live()
        step_id = state.step_id if state else None
        what = self.t(f"non_text_{event.kind}")
        if state is not None:
            self.record(
                Entry(
                    "customer",
                    "non_text",
                    step_id,
                    f"[{event.kind}]",
                    self.ctx.now,
                    ref=event.ref,
                    attachment={"kind": event.kind, **event.attachment},
                )
            )
        if event.caption and event.caption.strip():
            self.text(event.caption, event.ref)
        else:
            self.reply(self.t("non_text", what=what))

    def edited(self, ref: str, text: str) -> None:
        state = self.state
        if state is None or not state.consented or not text.strip():
            return
        self.records.append(EntryEdited(ref, text, self.ctx.now))
        if not state.live:
            return
        parts = {
            step_id: tuple(AnswerPart(text=text, ref=ref) if p.ref == ref else p for p in items)
            for step_id, items in state.parts.items()
        }
        fix_parts = tuple(
            AnswerPart(text=text, ref=ref) if p.ref == ref else p for p in state.fix_parts
        )
        self.update(parts=parts, fix_parts=fix_parts)

    # --- timers ------------------------------------------------------------------------------

    def tick(self) -> None:
        state = self.live()
        if state is None or state.status != "active":
            return
        now = self.ctx.now
        if state.settle_at is not None and state.settle_at <= now:
            self.settle()
        state = self.live()
        if (
            state is not None
            and state.status == "active"
            and state.nudge_at is not None
            and state.nudge_at <= now
            and not state.nudged
        ):
            self.update(nudged=True, nudge_at=None)
            self.system("reminder sent")
            self.reply(self.t("nudge"))
            self.ask_current()

    def _set_timers(self, customer_acted: bool) -> None:
        state = self.state
        if state is None:
            return
        if state.status != "active":
            if state.settle_at or state.nudge_at:
                self.update(settle_at=None, nudge_at=None)
            return
        if customer_acted and not state.nudged and self.ctx.nudge_after is not None:
            self.update(nudge_at=self.ctx.now + self.ctx.nudge_after)

    def settle(self) -> None:
        state = self.update(settle_at=None)
        step = self.current()
        if isinstance(step, MirrorStep) and state.phase == "mirror_fix":
            self.apply_fix(step)
        elif isinstance(step, AskStep):
            if self.needs_probe(step):
                used = state.probes_used.get(step.id, 0)
                probe = step.probes[used % len(step.probes)]
                self.update(
                    probes_used={**state.probes_used, step.id: used + 1},
                    probed_at={**state.probed_at, step.id: len(state.parts.get(step.id, ()))},
                )
                self.reply(self.local(probe), kind="probe", step_id=step.id, record="probe")
            else:
                self.advance_from(step.id)

    def needs_probe(self, step: AskStep) -> bool:
        state = self.live_state()
        if not step.probes or state.probes_used.get(step.id, 0) >= step.max_probes:
            return False
        if len(_WORD.findall(state.answer(step.id))) < step.min_words:
            return True
        # Vagueness is judged on what came since the last probe: "it depends" after a
        # follow-up question is as vague as it was the first time.
        latest = state.parts.get(step.id, ())[state.probed_at.get(step.id, 0) :]
        text = " ".join(part.text for part in latest)
        normalised = " ".join(text.lower().replace("’", "'").split()).strip(" .!?,;…")
        vague = texts.VAGUE_ANSWERS[state.language] | {v.lower() for v in step.vague}
        return normalised in vague

    # --- moving through the script -----------------------------------------------------------

    def advance_from(self, step_id: str) -> None:
        self.enter(self.script.index(step_id) + 1)

    def enter(self, index: int) -> None:
        steps = self.script.steps
        while index < len(steps):
            step = steps[index]
            if step.when is not None and not self.holds(step.when):
                index += 1
                continue
            self.update(step_id=step.id, phase="waiting", fixing=None)
            if isinstance(step, SayStep):
                self.reply(self.local(step.text), kind="say", step_id=step.id, record="say")
                index += 1
                continue
            if isinstance(step, EndStep):
                self.reply(self.local(step.text), kind="end", step_id=step.id, record="say")
                self.close("finished")
                return
            self.ask_current()
            return
        self.close("finished")

    def holds(self, condition: Condition) -> bool:
        state = self.live_state()
        chosen = state.choices.get(condition.step, ())
        if condition.equals is not None:
            return condition.equals in chosen
        if condition.in_ is not None:
            return any(c in condition.in_ for c in chosen)
        if condition.not_in is not None:
            return not any(c in condition.not_in for c in chosen)
        if condition.contains is not None:
            answer = state.answer(condition.step).lower()
            return any(word.lower() in answer for word in condition.contains)
        answered = condition.step not in state.skipped and bool(
            state.parts.get(condition.step) or chosen
        )
        return answered == condition.answered

    def ask_current(self) -> None:
        """Show the current step's question again (or for the first time)."""
        step = self.current()
        state = self.live_state()
        if isinstance(step, ConsentStep):
            yes = self.local(step.yes) if step.yes else self.t("consent_yes")
            no = self.local(step.no) if step.no else self.t("consent_no")
            pair = (self.button(step.id, "yes", yes), self.button(step.id, "no", no))
            record: EntryKind | None = "question" if step.topic != "storage" else None
            self.reply(self.local(step.text), (pair,), "question", step.id, record)
        elif isinstance(step, AskStep):
            self.reply(self.local(step.text), (), "question", step.id, "question")
        elif isinstance(step, ChoiceStep):
            buttons = self.choice_buttons(step, state.choices.get(step.id, ()))
            self.reply(self.local(step.text), buttons, "question", step.id, "question")
        elif isinstance(step, MirrorStep):
            if state.phase == "mirror_fix":
                self.reply(self.t("mirror_fix_prompt"), (), "question", step.id, "question")
            else:
                self.show_mirror(step)

    # --- consent -----------------------------------------------------------------------------

    def consent_text(self, step: ConsentStep, text: str, ref: str | None) -> None:
        word = _normalised(text)
        if word in texts.YES_WORDS or word in texts.NO_WORDS:
            self.consent(step, word in texts.YES_WORDS)
            return
        if step.topic != "storage":
            self.record(Entry("customer", "answer", step.id, text, self.ctx.now, ref=ref))
        self.reply(self.t("consent_reask"))
        self.ask_current()

    def consent(self, step: ConsentStep, granted: bool) -> None:
        state = self.live_state()
        self.records.append(ConsentGiven(step.topic, granted, self.ctx.now))
        self.update(consents={**state.consents, step.topic: granted})
        if step.topic == "storage":
            if not granted:
                self.close("declined")
                self.reply(self.t("consent_declined"))
                return
            self.update(consented=True)
        self.system(f"consent {step.topic}: {'yes' if granted else 'no'}")
        self.advance_from(step.id)

    # --- choices -----------------------------------------------------------------------------

    def choice_buttons(
        self, step: ChoiceStep, selected: tuple[str, ...]
    ) -> tuple[tuple[Button, ...], ...]:
        rows: list[tuple[Button, ...]] = []
        for option in step.options:
            label = self.local(option.label)
            if step.multiple and option.id in selected:
                label = f"✓ {label}"
            rows.append((self.button(step.id, option.id, label),))
        if step.multiple:
            rows.append((self.button(step.id, _DONE, self.t("choice_done")),))
        return tuple(rows)

    def choose(self, step: ChoiceStep, value: str, from_button: bool) -> None:
        state = self.live_state()
        if not step.multiple:
            self.finish_choice(step, (value,), from_button)
            return
        selected = state.choices.get(step.id, ())
        if value == _DONE:
            if not selected:
                self.outputs.append(Notice(self.t("choice_reask_multiple")))
                return
            self.finish_choice(step, selected, from_button)
            return
        selected = (
            tuple(s for s in selected if s != value) if value in selected else (*selected, value)
        )
        self.update(choices={**state.choices, step.id: selected})
        self.outputs.append(ButtonsChanged(buttons=self.choice_buttons(step, selected)))

    def finish_choice(self, step: ChoiceStep, chosen: tuple[str, ...], from_button: bool) -> None:
        state = self.live_state()
        ordered = tuple(o.id for o in step.options if o.id in chosen)
        self.update(choices={**state.choices, step.id: ordered})
        labels = ", ".join(self.local(o.label) for o in step.options if o.id in ordered)
        if from_button:
            self.outputs.append(ButtonsChanged(chosen=labels))
        self.record(Entry("customer", "choice", step.id, labels, self.ctx.now))
        self.advance_from(step.id)

    def choice_text(self, step: ChoiceStep, text: str, ref: str | None) -> None:
        chosen = self.match_options(step, text)
        if chosen:
            if step.multiple:
                self.finish_choice(step, chosen, from_button=False)
            else:
                self.finish_choice(step, chosen[:1], from_button=False)
            return
        # Not an option: keep what they wrote (nothing is lost) and show the buttons again.
        self.record(Entry("customer", "answer", step.id, text, self.ctx.now, ref=ref))
        self.add_part(step.id, AnswerPart(text=text, ref=ref))
        self.reply(self.t("choice_reask_multiple" if step.multiple else "choice_reask"))
        self.ask_current()

    def match_options(self, step: ChoiceStep, text: str) -> tuple[str, ...]:
        wanted = " ".join(text.split()).strip(" .!").lower().removeprefix("✓ ")
        for option in step.options:
            labels = {option.label.de.lower(), option.label.en.lower(), option.id}
            if wanted in labels:
                return (option.id,)
        if _NUMBER_LIST.match(wanted):
            numbers = [int(n) for n in re.findall(r"\d+", wanted)]
            if all(1 <= n <= len(step.options) for n in numbers):
                return tuple(dict.fromkeys(step.options[n - 1].id for n in numbers))
        return ()

    # --- mirror ------------------------------------------------------------------------------

    def show_mirror(self, step: MirrorStep) -> None:
        self.update(phase="mirror")
        lines = [self.local(step.text), ""]
        for point in step.points:
            lines.append(f"• {self.point_label(point)}: {self.point_text(point)}")
        note = self.live_state().corrections.get(GENERAL_NOTE)
        if note:
            lines.append(f"• {self.t('mirror_other')}: {note}")
        buttons = (
            (self.button(step.id, "ok", self.t("mirror_confirm")),),
            (self.button(step.id, "fix", self.t("mirror_correct")),),
        )
        self.reply("\n".join(lines), buttons, "mirror", step.id, "mirror")

    def point_label(self, step_id: str) -> str:
        step = self.script.step(step_id)
        assert isinstance(step, AskStep | ChoiceStep)
        return self.local(step.label) if step.label else step_id

    def point_text(self, step_id: str) -> str:
        state = self.live_state()
        if step_id in state.corrections:
            return state.corrections[step_id]
        step = self.script.step(step_id)
        pieces: list[str] = []
        if isinstance(step, ChoiceStep) and state.choices.get(step_id):
            chosen = state.choices[step_id]
            pieces.append(", ".join(self.local(o.label) for o in step.options if o.id in chosen))
        answer = state.answer(step_id)
        if answer.strip():
            pieces.append(self.ctx.summarise(answer, state.language))
        return "; ".join(pieces) if pieces else self.t("mirror_empty")

    def mirror_press(self, step: MirrorStep, value: str) -> None:
        if value == "ok":
            self.outputs.append(ButtonsChanged(chosen=self.t("mirror_confirm")))
            self.system("summary confirmed by customer")
            self.advance_from(step.id)
        elif value == "fix":
            self.outputs.append(ButtonsChanged(chosen=self.t("mirror_correct")))
            if len(step.points) == 1:
                self.start_fix(step, step.points[0])
                return
            self.update(phase="mirror_pick")
            rows = [
                (self.button(step.id, f"fix:{i}", self.point_label(point)),)
                for i, point in enumerate(step.points)
            ]
            rows.append((self.button(step.id, "other", self.t("mirror_other")),))
            self.reply(self.t("mirror_pick"), tuple(rows), "question")
        elif value.startswith("fix:") and value[4:].isdigit() and int(value[4:]) < len(step.points):
            point = step.points[int(value[4:])]
            self.outputs.append(ButtonsChanged(chosen=self.point_label(point)))
            self.start_fix(step, point)
        elif value == "other":
            self.outputs.append(ButtonsChanged(chosen=self.t("mirror_other")))
            self.start_fix(step, None)
        else:
            self.stale()

    def start_fix(self, step: MirrorStep, point: str | None) -> None:
        self.update(phase="mirror_fix", fixing=point, fix_parts=())
        self.reply(self.t("mirror_fix_prompt"), (), "question", step.id, "question")

    def mirror_text(self, step: MirrorStep, text: str, ref: str | None) -> None:
        state = self.live_state()
        if state.phase == "mirror" and _normalised(text) in texts.YES_WORDS | _CONFIRM_WORDS:
            # "Ja" / "stimmt" typed instead of tapped confirms the summary.
            self.mirror_press(step, "ok")
            return
        if state.phase != "mirror_fix":
            # Typing instead of tapping: take it as a correction of the whole picture.
            self.update(phase="mirror_fix", fixing=None, fix_parts=())
            state = self.live_state()
        self.record(
            Entry(
                "customer",
                "correction",
                step.id,
                text,
                self.ctx.now,
                ref=ref,
                corrects=state.fixing,
            )
        )
        self.update(fix_parts=(*state.fix_parts, AnswerPart(text=text, ref=ref)))
        self.schedule_settle()

    def apply_fix(self, step: MirrorStep) -> None:
        state = self.live_state()
        correction = "\n".join(p.text for p in state.fix_parts)
        key = state.fixing or GENERAL_NOTE
        corrections = {**state.corrections, key: correction}
        self.update(corrections=corrections, fix_parts=(), fixing=None, phase="mirror")
        self.reply(self.t("mirror_fixed" if key != GENERAL_NOTE else "mirror_noted"))
        self.show_mirror(step)
