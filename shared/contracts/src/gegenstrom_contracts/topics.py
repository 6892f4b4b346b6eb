"""Versioned Kafka topic names and partition counts: the one place that names a topic."""

from dataclasses import dataclass

DLQ_SUFFIX = ".dlq"


@dataclass(frozen=True)
class Topic:
    """A topic as the contract names it; deployments may put a prefix in front."""

    name: str
    partitions: int
    retention_ms: int | None = None

    def qualified(self, prefix: str = "") -> str:
        return f"{prefix}{self.name}"

    @property
    def dlq(self) -> "Topic":
        return Topic(self.name + DLQ_SUFFIX, partitions=1)


EMPLOYEE_INPUT = Topic("gegenstrom.intake.employee-input.v1", partitions=6)
EMPLOYEE = Topic("gegenstrom.intake.employee.v1", partitions=6)
ORG_STRUCTURE = Topic("gegenstrom.intake.org-structure.v1", partitions=1)
ROLLOUT = Topic("gegenstrom.intake.rollout.v1", partitions=3)
REQUIREMENT_PROFILE = Topic("gegenstrom.intake.requirement-profile.v1", partitions=3)
IDEA = Topic("gegenstrom.intake.idea.v1", partitions=6)
COMPETENCE_PROFILE = Topic("gegenstrom.profiling.competence-profile.v1", partitions=6)
COMPETENCE_EVIDENCE = Topic("gegenstrom.training-match.competence-evidence.v1", partitions=6)
LEARNING_PLAN = Topic("gegenstrom.training-match.learning-plan.v1", partitions=6)
LEARNING_ITEM = Topic("gegenstrom.training-match.learning-item.v1", partitions=6)
LEARNING_GROUP = Topic("gegenstrom.training-match.learning-group.v1", partitions=3)
NOTIFICATION = Topic("gegenstrom.notification.notification.v1", partitions=6)
ERASURE = Topic("gegenstrom.intake.employee-erasure.v1", partitions=6)
ERASURE_CONFIRMATION = Topic("gegenstrom.privacy.erasure-confirmation.v1", partitions=3)
DATA_ACCESS = Topic("gegenstrom.privacy.data-access.v1", partitions=3)
WORKS_AGREEMENT = Topic("gegenstrom.intake.works-agreement.v1", partitions=1)

ALL_TOPICS: tuple[Topic, ...] = (
    EMPLOYEE_INPUT,
    EMPLOYEE,
    ORG_STRUCTURE,
    ROLLOUT,
    REQUIREMENT_PROFILE,
    IDEA,
    COMPETENCE_PROFILE,
    COMPETENCE_EVIDENCE,
    LEARNING_PLAN,
    LEARNING_ITEM,
    LEARNING_GROUP,
    NOTIFICATION,
    ERASURE,
    ERASURE_CONFIRMATION,
    DATA_ACCESS,
    WORKS_AGREEMENT,
)
