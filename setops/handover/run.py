"""Running a handover: the steps in order, each one skipping what is already done.

The pull request first (so everything else can link to it), then Jira, then Mattermost,
and last the pull request records the handover as complete. A step that fails raises
`StepFailed`, which names the step and lists what was already done; a re-run does the rest
and repeats nothing: tickets carry their marker comment, memberships and the header are
read before they are written, the announcement carries its props and is recorded in the
pull request, and so are the reviewers asked.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from setops.config.load import Config
from setops.errors import SetopsError
from setops.handover import chat, document
from setops.handover.document import Facts, HandoverProgress
from setops.handover.gather import ANNOUNCEMENT_PROP, Gathered, Services
from setops.handover.tickets import TicketPlan
from setops.targets.clients import jira_tickets
from setops.targets.clients.github_pr import Pull, Refused
from setops.targets.clients.jira import IN_FLIGHT
from setops.targets.http import VendorError

Echo = Callable[[str], None]


class StepFailed(SetopsError):
    """One step of a handover failed; says which, and what had been done before it."""

    def __init__(self, handover_id: str, step: str, done: list[str], cause: SetopsError) -> None:
        self.step, self.done, self.cause = step, list(done), cause
        already = "; ".join(done) if done else "nothing"
        super().__init__(
            f"handover {handover_id}: step '{step}' failed: {cause}\n"
            f"  already done: {already}\n"
            "  run `setops handover` again to finish the rest; what was done is not repeated"
        )


@dataclass
class HandoverRun:
    """The write phase of one handover, over what `gather` found."""

    config: Config
    services: Services
    found: Gathered
    echo: Echo
    done: list[str] = field(default_factory=list)
    pull: Pull | None = None
    state: HandoverProgress = field(
        default_factory=HandoverProgress
    )  # what the PR records, kept up to date
    moved: int = 0
    joined: int = 0
    warnings: list[str] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)  # tickets deleted since they were read

    def facts(self) -> Facts:
        return self.found.facts(self.config, self.tickets, self.pull.url if self.pull else None)

    @property
    def tickets(self) -> tuple[TicketPlan, ...]:
        """The tickets as they stand: one deleted while the handover ran is not moved."""
        return tuple(
            replace(p, new=p.old, action="gone") if p.ticket.key in self.gone else p
            for p in self.found.tickets
        )

    def _did(self, text: str) -> None:
        self.done.append(text)
        self.echo(f"  done: {text}")

    def _warn(self, text: str) -> None:
        """Something the handover does without, said in the output and in the PR."""
        self.warnings.append(text)
        self.echo(f"  warning: {text}")

    def step(self, name: str, action: Callable[[], None]) -> None:
        try:
            action()
        except StepFailed:
            raise
        except SetopsError as exc:
            raise StepFailed(self.found.handover.id, name, self.done, exc) from exc

    def run(self) -> None:
        self.pull, self.state = self.found.pull, self.found.state
        self.step("github: pull request", self.pull_request)
        if self.services.jira is not None:
            self.step("jira: reassign tickets", self.reassign)
            self.step("jira: rank the TO DO column", self.rank)
        if self.services.mattermost is not None:
            self.step("mattermost: join the SET channel", self.join_channel)
            self.step("mattermost: channel header", self.header)
            self.step("mattermost: incident channels", self.channels)
            self.step("mattermost: announcement", self.announce)
        self.step("github: record the handover", self.finish)

    # ---- the steps ----------------------------------------------------------------

    def pull_request(self) -> None:
        repo = self.services.github
        assert repo is not None
        h = self.found.handover
        # A pull request a lead merged before the run finished is done with its branch
        # (GitHub may have deleted it) and its reviews: only its record is kept up to date.
        merged = self.pull is not None and self.pull.merged
        if not merged:
            self.branch_and_file()
        if self.pull is None:
            body = document.body(self.facts(), self.state)
            self.pull = repo.open_pull(h.branch, document.title(self.config, h), body)
            self._did(f"opened pull request #{self.pull.number} ({self.pull.url})")
        if not merged:
            self.reviewers()
        # Recorded at once: a lead who reviews before a re-run is no longer "requested".
        self.update_body(f"updated the description of #{self.pull.number}")
        try:
            if repo.ensure_label(self.pull, repo.policy.handover_label):
                self._did(f"labelled #{self.pull.number} {repo.policy.handover_label}")
        except Refused as exc:
            self._warn(str(exc))

    def branch_and_file(self) -> None:
        repo, h = self.services.github, self.found.handover
        assert repo is not None
        if repo.ensure_branch(h.branch):
            self._did(f"created branch {h.branch}")
        message = f"SET handover {h.id}"
        action = repo.ensure_file(h.branch, h.path, document.record_file(self.facts()), message)
        if action != "unchanged":
            self._did(f"{action} {h.path}")

    def reviewers(self) -> None:
        """Ask the outgoing and the incoming lead; one GitHub refuses is a warning."""
        repo, h = self.services.github, self.found.handover
        assert repo is not None and self.pull is not None
        leads = [self.config.person(p).github for p in (h.lead.outgoing, h.lead.incoming) if p]
        asked, refused = repo.ensure_reviewers(self.pull, leads, self.state.reviewers)
        if asked:
            self._did(f"requested review from {', '.join(asked)}")
        for login, reason in refused:
            self._warn(f"review could not be requested from {login}: {reason}")
        requested = {*self.state.reviewers, *asked, *(set(leads) & self.pull.reviewers)}
        self.state = replace(self.state, reviewers=tuple(sorted(requested)))

    def update_body(self, done: str) -> None:
        """Write the PR body for the facts and state now, when its text would change."""
        repo = self.services.github
        assert repo is not None and self.pull is not None
        body = document.body(self.facts(), self.state, self.pull.body)
        if repo.update_body(self.pull, body):
            self.pull = replace(self.pull, body=body)
            self._did(done)

    def reassign(self) -> None:
        """Hand each ticket over (assignee and marker comment in one write), IN_FLIGHT at
        a time: the writes are what bounds a handover. A ticket whose comment is there but
        whose assignment is not (a run stopped in between, on a Jira whose edit screen
        made setops write them apart) is only assigned. On a failure no new ticket is
        started, the ones under way finish, and the first error is raised. A ticket that
        no longer exists (deleted since it was read) has nothing to hand over: skipped.
        """
        jira = self.services.jira
        assert jira is not None
        facts = self.facts()
        todo = [p for p in self.tickets if p.action in ("move", "assign") and p.new]

        def hand_over(plan: TicketPlan) -> TicketPlan | None:
            assert jira is not None and plan.new is not None
            try:
                if plan.action == "move":
                    text = document.jira_comment(facts, plan, facts.pr_url)
                    marker = document.jira_marker(facts, plan)
                    jira_tickets.hand_over(jira, plan.ticket.key, plan.new, text, marker)
                else:
                    jira.assign(plan.ticket.key, plan.new)
            except VendorError as exc:
                if exc.status != 404:
                    raise
                return None
            return plan

        failure: SetopsError | None = None
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            futures = [(plan, pool.submit(hand_over, plan)) for plan in todo]
            for asked, future in futures:
                if future.cancelled():  # not started: a ticket before it failed
                    continue
                try:
                    plan = future.result()
                except SetopsError as exc:
                    failure = failure or exc
                    for _, pending in futures:
                        pending.cancel()
                    continue
                if plan is None:
                    self.gone.add(asked.ticket.key)
                    self.echo(
                        f"  note: {asked.ticket.key} is gone from Jira (deleted, or hidden from "
                        "setops, since it was read): nothing to hand over"
                    )
                    continue
                self.moved += 1
                self._did(f"{plan.ticket.key} to {document.jira_name(self.config, plan.new)}")
        if jira.fallback:
            self._warn(jira.fallback)
        if failure is not None:
            raise failure

    def rank(self) -> None:
        jira, settings = self.services.jira, self.config.integrations.jira
        assert jira is not None and settings is not None
        for move in self.found.rank or ():
            jira.rank(move.issues, before=move.before, after=move.after)
            self._did(move.describe())

    def join_channel(self) -> None:
        """The bot joins the public SET channel it is not in: the header and the
        announcement need it there. A SET channel out of reach is a warning."""
        mm, channel = self.services.mattermost, self.found.channel
        assert mm is not None
        if self.found.channel_problem:
            self._warn(f"{self.found.channel_problem}; the header and the announcement wait")
        elif channel is not None and self.found.bot_joins:
            mm.join(channel)
            self._did(f"joined ~{channel.name}, to set its header and post in it")

    def header(self) -> None:
        mm, change = self.services.mattermost, self.found.header
        assert mm is not None
        if change is not None:
            mm.patch_header(change.payload["channel_id"], change.payload["header"])
            self._did("set the channel header")

    def channels(self) -> None:
        """Put the incoming team in every incident channel; one channel out of reach, or
        one person Mattermost will not add, is a warning and the rest goes on."""
        mm, settings = self.services.mattermost, self.config.integrations.mattermost
        assert mm is not None and settings is not None
        for found in self.found.joins or ():
            if found.problem:
                self._warn(found.problem)
                continue
            try:
                done = chat.fill(mm, settings.team, found, self.found.users)
            except SetopsError as exc:
                self._warn(f"~{found.name}: {exc}; the incoming team may be missing there")
                continue
            if done.joined:
                self._did(f"joined ~{found.name} (the bot was not in it)")
            if done.added:
                self.joined += len(done.added)
                self._did(f"added {', '.join(done.added)} to ~{found.name}")
            for username, why in done.refused:
                self._warn(f"@{username} was not added to ~{found.name}: {why}")

    def announce(self) -> None:
        mm, channel = self.services.mattermost, self.found.channel
        assert mm is not None
        if channel is None:  # out of reach: warned about with the header
            return
        if not self.found.announced:
            text = document.announcement(self.facts(), self.pull.url if self.pull else None)
            mm.post(channel.id, text, ANNOUNCEMENT_PROP, self.found.handover.id)
            self._did("posted the announcement")
        self.state = replace(self.state, announced=True)

    def _announcement(self) -> str:
        if self.services.mattermost is None:
            return "Mattermost not enabled"
        return "announcement posted" if self.state.announced else "announcement not posted"

    def finish(self) -> None:
        assert self.pull is not None
        summary = (
            f"{sum(p.moves for p in self.tickets)} ticket(s) handed over",
            f"{len(self.found.rank or ())} rank move(s) on the TO DO column",
            self._announcement(),
            *(f"warning: {w}" for w in self.warnings),
        )
        self.state = replace(
            self.state,
            announced=self.state.announced or self.services.mattermost is None,
            complete=True,
            summary=summary,
        )
        self.update_body(f"recorded the handover as complete in #{self.pull.number}")
