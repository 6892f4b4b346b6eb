"""A namespace gives a test its own topics, consumer groups and databases on shared servers."""

import uuid
from dataclasses import dataclass

from support.servers import Servers
from support.tokens import TEST_SECRET

SERVICES = {
    "intake": "INTAKE_",
    "profiling": "PROFILING_",
    "training_match": "TRAINING_MATCH_",
    "notification": "NOTIFICATION_",
}


@dataclass(frozen=True)
class Namespace:
    servers: Servers
    run_id: str

    @classmethod
    def fresh(cls, servers: Servers) -> "Namespace":
        return cls(servers, f"t{uuid.uuid4().hex[:10]}")

    @property
    def topic_prefix(self) -> str:
        return f"{self.run_id}."

    def topic(self, contract_topic) -> str:
        return contract_topic.qualified(self.topic_prefix)

    def database(self, service: str) -> str:
        return f"{self.run_id}_{service}"

    def group(self, service: str, contract_topic) -> str:
        """The consumer group of ``service`` on a topic."""
        return f"{self.topic_prefix}{service}.{contract_topic.name}"

    def env(self, service: str) -> dict[str, str]:
        """The environment that points ``service`` at this namespace."""
        prefix = SERVICES[service]
        return {
            f"{prefix}KAFKA_BOOTSTRAP": self.servers.kafka_bootstrap,
            f"{prefix}MONGO_URI": self.servers.mongo_uri,
            f"{prefix}TOPIC_PREFIX": self.topic_prefix,
            f"{prefix}MONGO_DATABASE": self.database(service),
            f"{prefix}OUTBOX_POLL_INTERVAL_S": "0.2",
            f"{prefix}AUTH_SECRET": TEST_SECRET,
        }
