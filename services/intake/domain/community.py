"""The community (小区) as registered in the survey (摸底排查): the first fact of every project."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from services.intake.domain.eligibility import ConsentTally, RuleResult, assess
from services.intake.domain.rules import Rules
from shared.aggregate import Aggregate
from services.intake.domain.survey import Survey
from shared.errors import InvalidCommand
from shared.event import DomainEvent


class Community(Aggregate):
    """A residential compound, registered once; its id is the project key until a project exists.

    It also keeps which projects were declared for it, by plan year: the rule against
    duplicate declarations (杜绝重复申报, `002` 五(三)) is an invariant of this stream.
    """

    stream_prefix = "community"

    class Registered(DomainEvent):
        """A community was registered (小区登记); other services read this as a tolerant reader."""
        event_type = "intake.CommunityRegistered"
        schema_version = 1

        community_id: str
        name: str
        district: str
        street_office: str
        residents_committee: str
        address: str
        built_year: int
        built_month: int | None = None
        building_count: int
        household_count: int
        floor_area_m2: float
        latitude: float = Field(ge=-90, le=90)
        longitude: float = Field(ge=-180, le=180)
        geofence_radius_m: int

    class Surveyed(DomainEvent):
        """The survey (摸底排查) was recorded; it replaces any earlier survey of the community."""
        event_type = "intake.CommunitySurveyed"

        community_id: str
        survey: Survey

    class EligibilityAssessed(DomainEvent):
        """The community was assessed against every rule, with the figures behind each answer."""
        event_type = "intake.EligibilityAssessed"

        community_id: str
        assessed_on: date
        eligible: bool
        rules: list[RuleResult]
        consent: ConsentTally

    class ProjectDeclared(DomainEvent):
        """A project was declared (申报) for a plan year."""
        event_type = "intake.ProjectDeclared"

        community_id: str
        project_id: str
        plan_year: int

    class DuplicateDeclarationRefused(DomainEvent):
        """A second live declaration for the same plan year was refused (杜绝重复申报)."""
        event_type = "intake.DuplicateDeclarationRefused"

        community_id: str
        plan_year: int
        existing_project_id: str
        reason: str

    class DeclarationWithdrawn(DomainEvent):
        """A declared project was withdrawn; its plan year is free again."""
        event_type = "intake.DeclarationWithdrawn"

        community_id: str
        project_id: str
        plan_year: int
        reason: str

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.registered: Community.Registered | None = None
        self.survey: Survey | None = None
        self.assessment: Community.EligibilityAssessed | None = None
        self.live_projects: dict[int, str] = {}

    @classmethod
    def register(cls, *, community_id: str, **facts) -> Community:
        """Register a surveyed community; refuses facts that cannot be true."""
        if facts["household_count"] < 1 or facts["building_count"] < 1:
            raise InvalidCommand("小区至少应有 1 栋楼和 1 户居民", code="community_empty")
        if facts["household_count"] < facts["building_count"]:
            raise InvalidCommand("户数不能少于楼栋数", code="households_below_buildings")
        community = cls(cls.stream_for(community_id))
        community._record(cls.Registered(community_id=community_id, **facts))
        return community

    @property
    def community_id(self) -> str:
        """The community's id."""
        return self.facts.community_id

    @property
    def facts(self) -> Community.Registered:
        """What was registered."""
        if self.registered is None:  # pragma: no cover - a stream always starts with it
            raise InvalidCommand("小区尚未登记", code="community_not_registered")
        return self.registered

    def record_survey(self, survey: Survey) -> None:
        """Record the survey; a later one replaces the earlier (a correction is a new fact)."""
        self._record(self.Surveyed(community_id=self.community_id, survey=survey))

    def require_survey(self) -> Survey:
        """The survey, or a refusal saying it is missing."""
        if self.survey is None:
            raise InvalidCommand("请先完成摸底调查（楼栋、单元和户）", code="survey_missing")
        return self.survey

    def eligibility(self, consent: ConsentTally, rules: Rules) -> list[RuleResult]:
        """Every eligibility rule as it stands now (nothing recorded)."""
        return assess(built_year=self.facts.built_year, built_month=self.facts.built_month,
                      survey=self.survey, consent=consent, rules=rules)

    def assess_eligibility(self, *, consent: ConsentTally, rules: Rules, today: date) -> RuleResult | None:
        """Record the assessment against every rule; answers the first failed rule, if any."""
        results = self.eligibility(consent, rules)
        self._record(self.EligibilityAssessed(
            community_id=self.community_id, assessed_on=today,
            eligible=all(r.passed for r in results), rules=results, consent=consent))
        return next((r for r in results if not r.passed), None)

    def declare_project(self, *, project_id: str, plan_year: int) -> DomainEvent:
        """Declare a project for a plan year; a second live one that year is refused and recorded."""
        existing = self.live_projects.get(plan_year)
        if existing is not None:
            reason = (f"{self.facts.name}已有{plan_year}年度的改造项目（编号 {existing}），"
                      "不得重复申报（杜绝重复申报）")
            event = self.DuplicateDeclarationRefused(
                community_id=self.community_id, plan_year=plan_year, existing_project_id=existing,
                reason=reason)
        else:
            self._require_eligible()
            event = self.ProjectDeclared(community_id=self.community_id, project_id=project_id,
                                         plan_year=plan_year)
        self._record(event)
        return event

    def withdraw_declaration(self, *, project_id: str, reason: str) -> None:
        """Free the plan year of a project that was withdrawn."""
        year = next((y for y, p in self.live_projects.items() if p == project_id), None)
        if year is None:
            raise InvalidCommand(f"项目 {project_id} 不是本小区在申报中的项目", code="declaration_unknown")
        self._record(self.DeclarationWithdrawn(community_id=self.community_id, project_id=project_id,
                                               plan_year=year, reason=reason))

    def _require_eligible(self) -> None:
        if self.assessment is None:
            raise InvalidCommand("请先进行资格评估，评估合格后方可申报", code="eligibility_not_assessed")
        if not self.assessment.eligible:
            failed = "；".join(f"{r.title}（{r.figures}）" for r in self.assessment.rules if not r.passed)
            raise InvalidCommand(f"最近一次资格评估不合格，不能申报：{failed}", code="not_eligible")

    def apply(self, event: DomainEvent) -> None:
        """Change state by one event."""
        match event:
            case Community.Registered():
                self.registered = event
            case Community.Surveyed(survey=survey):
                self.survey = survey
            case Community.EligibilityAssessed():
                self.assessment = event
            case Community.ProjectDeclared(project_id=project_id, plan_year=year):
                self.live_projects[year] = project_id
            case Community.DeclarationWithdrawn(plan_year=year):
                self.live_projects.pop(year, None)
            case Community.DuplicateDeclarationRefused():
                pass
