"""Every event of the contract, for registries and schema generation."""

from gegenstrom_contracts.envelope import Event
from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_contracts.notification import NotificationCreated
from gegenstrom_contracts.org import EmployeeAssignmentChanged, OrgStructureChanged
from gegenstrom_contracts.privacy import (
    EmployeeErased,
    ErasureConfirmed,
    PersonalDataAccessed,
    WorksAgreementChanged,
)
from gegenstrom_contracts.profiling import CompetenceEvidenceRecorded, CompetenceProfileUpdated
from gegenstrom_contracts.rollouts import (
    IdeaStatusChanged,
    RequirementProfileConfirmed,
    RolloutPublished,
)
from gegenstrom_contracts.training_match import (
    CohortFormed,
    LearningItemStatusChanged,
    LearningPlanUpdated,
    MentorRequested,
)

ALL_EVENTS: tuple[type[Event], ...] = (
    OrgStructureChanged,
    EmployeeAssignmentChanged,
    RolloutPublished,
    RequirementProfileConfirmed,
    EmployeeInputSubmitted,
    IdeaStatusChanged,
    CompetenceProfileUpdated,
    CompetenceEvidenceRecorded,
    LearningPlanUpdated,
    LearningItemStatusChanged,
    MentorRequested,
    CohortFormed,
    NotificationCreated,
    EmployeeErased,
    ErasureConfirmed,
    PersonalDataAccessed,
    WorksAgreementChanged,
)
