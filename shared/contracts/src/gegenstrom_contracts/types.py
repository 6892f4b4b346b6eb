"""Field types shared by the events. Ids are opaque; people appear only pseudonymously."""

from typing import Annotated

from pydantic import Field, StringConstraints

PseudonymousId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_-]{4,64}$"),
    Field(description="Pseudonymous employee id; the person behind it is known to intake only."),
]
Ref = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,128}$"),
    Field(description="Id of a rollout, site, role, process step or competence."),
]
Level = Annotated[int, Field(ge=0, le=4, description="Proficiency 0 (none) to 4 (expert).")]
Version = Annotated[int, Field(ge=1, description="Starts at 1, grows by 1 with every change.")]
