"""Checks recorded emulator responses and notification events against the official SDK's models.

Input: a JSON file (argv[1]) holding `{"samples": [{"label", "model", "body"}], "skipped": [...]}`,
recorded by `crates/emulator/tests/emulator/sdk_models.rs` from a running emulator. Each body is
compared recursively with the model of PureCloudPlatformClientV2 (`swagger_types`,
`attribute_map`):

  (a) every JSON key must be one the model defines (a key the real API would not send);
  (b) every value must have the type `swagger_types` names: str, int, float, bool, datetime, date,
      object, list[...], dict(str, ...) or a nested model; enum strings must be among the values the
      SDK's setter accepts; `null` never appears (the real API leaves out what it has no value for);
  (c) the keys the real API always sends must be present. The SDK marks no property as required
      (its setters accept None), so REQUIRED below is this project's documented list, per model,
      of keys every real response carries; any entity model (one with `id` and `selfUri`) needs
      at least those two. It applies to the body itself and to a listing's `entities`; nested
      references (a member's `user`, an integration's `config.current`) are partial on the real
      API too, so only (a) and (b) apply to them.

Prints one line per mismatch and a summary line
`SDK models checked: M models, S samples, K keys, N mismatches`; exits 1 on any mismatch.
"""

import json
import re
import sys

import PureCloudPlatformClientV2 as sdk

# Keys the real platform always sends, per SDK model (documented, not derived from the SDK).
REQUIRED = {
    "Organization": ["id", "name", "thirdPartyOrgName", "state", "selfUri"],
    "OrganizationEntityListing": ["entities"],
    "Queue": ["id", "name", "dateCreated", "memberCount", "selfUri"],
    "QueueEntityListing": ["entities", "pageSize", "pageNumber", "total", "pageCount"],
    "QueueMember": ["id", "name", "user", "joined", "selfUri"],
    "QueueMemberEntityListing": ["entities", "pageSize", "pageNumber"],
    "User": ["id", "name", "state", "version", "selfUri"],
    "UserEntityListing": ["entities", "pageSize", "pageNumber", "total", "pageCount"],
    "UserPresence": ["presenceDefinition", "modifiedDate"],
    "RoutingStatus": ["status", "startTime"],
    "UserQueueEntityListing": ["entities", "pageSize", "pageNumber", "total"],
    "OrganizationPresenceEntityListing": ["entities"],
    "Flow": ["id", "name", "type", "selfUri"],
    "FlowEntityListing": ["entities", "pageSize", "pageNumber", "total", "pageCount"],
    "FlowVersion": ["id", "name", "selfUri"],
    "FlowVersionEntityListing": ["entities", "pageSize", "pageNumber", "total"],
    # `schema` only with ?expand=schema.
    "DataTable": ["id", "name", "selfUri"],
    "DataTablesDomainEntityListing": ["entities", "pageSize", "pageNumber", "total"],
    "DataTableRowEntityListing": ["entities", "pageSize", "pageNumber", "total"],
    "Integration": ["id", "name", "integrationType", "intendedState", "selfUri"],
    "IntegrationEntityListing": ["entities", "pageSize", "pageNumber", "total"],
    "Action": ["id", "name", "integrationId", "selfUri"],
    "ActionEntityListing": ["entities", "pageSize", "pageNumber", "total"],
    "IVR": ["id", "name", "dnis", "state", "selfUri"],
    "IVREntityListing": ["entities", "pageSize", "pageNumber", "total"],
    "DID": ["id", "name", "phoneNumber", "selfUri"],
    "DIDEntityListing": ["entities", "pageSize", "pageNumber", "total"],
    "TrunkBase": ["id", "name", "trunkType", "state", "selfUri"],
    "TrunkBaseEntityListing": ["entities", "pageSize", "pageNumber", "total"],
    "UsageExecutionResult": ["executionId", "resultsUri"],
    "ApiUsageQueryResult": ["queryStatus"],
    "Conversation": ["id", "participants", "selfUri"],
    "CallConversation": ["id", "participants", "selfUri"],
    "ConversationAggregateQueryResponse": [],
    "FlowAggregateQueryResponse": [],
    "ChannelEntityListing": ["entities"],
    "Channel": ["connectUri", "id", "expires"],
    "ChannelTopicEntityListing": ["entities"],
    "AvailableTopicEntityListing": ["entities"],
    "ErrorBody": ["message", "code", "status"],
    "OAuthTokenResponse": ["access_token", "token_type", "expires_in"],
    "OAuthErrorResponse": ["error", "error_description"],
    "PresenceEventUserPresence": ["presenceDefinition", "modifiedDate"],
    "UserRoutingStatusUserRoutingStatus": ["routingStatus"],
    "UserRoutingStatusRoutingStatus": ["status", "startTime"],
    "ArchitectFlowNotificationFlowNotification": ["id", "name"],
    "ConversationEventTopicConversation": ["id", "participants"],
    "QueueConversationEventTopicConversation": ["id", "participants"],
    "ConversationCallEventTopicCallConversation": ["id", "participants"],
    "QueueConversationCallEventTopicCallConversation": ["id", "participants"],
    "RegisterArchitectJobResponse": ["id", "presignedUrl", "headers"],
    "ArchitectJobStateResponse": ["id", "status"],
    "RegisterArchitectExportJobResponse": ["id", "status"],
    "ArchitectExportJobStateResponse": ["id", "status"],
    "TestExecutionResult": ["operations", "success"],
    "TestExecutionOperationResult": ["step", "name", "success"],
    "UserLicensesEntityListing": ["entities", "pageSize", "pageNumber", "total"],
    "UserLicenses": ["id", "licenses", "selfUri"],
    "LicenseUser": ["id", "licenses", "selfUri"],
    "LicenseDefinition": ["id", "selfUri"],
    "LicenseUpdateStatus": ["userId", "licenseId", "result"],
    "LimitsEntityListing": ["entities"],
    "Limit": ["key", "namespace", "value"],
    "OAuthClient": ["id", "name", "authorizedGrantType", "selfUri"],
    "OAuthClientEntityListing": ["entities", "pageSize", "pageNumber", "total"],
}

# Responses the real platform documents but the SDK has no model for (the OAuth token answer is
# outside the Platform API's swagger): their keys and types from the Genesys OAuth documentation.
PSEUDO_MODELS = {
    "OAuthTokenResponse": {"access_token": "str", "token_type": "str", "expires_in": "int"},
    "OAuthErrorResponse": {"error": "str", "description": "str", "error_description": "str"},
}

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Checker:
    def __init__(self):
        self.models = set()
        self.keys = 0
        self.mismatches = []
        self.cache = {}

    def model(self, name):
        """(json key -> (attribute, swagger type), instance) of a model, or None if unknown."""
        if name in self.cache:
            return self.cache[name]
        found = None
        if name in PSEUDO_MODELS:
            found = ({key: (key, kind) for key, kind in PSEUDO_MODELS[name].items()}, None)
        else:
            cls = getattr(sdk, name, None) or getattr(sdk.models, name, None)
            if cls is not None:
                instance = cls()
                keys = {instance.attribute_map[attr]: (attr, kind) for attr, kind in instance.swagger_types.items()}
                found = (keys, instance)
        self.cache[name] = found
        return found

    def fail(self, path, message):
        self.mismatches.append(f"{path}: {message}")

    def check(self, path, kind, value, complete=False):
        if value is None:
            self.fail(path, f"null where {kind} is expected (the real API leaves the key out)")
            return
        if kind == "object":
            return
        if kind.startswith("list["):
            if not isinstance(value, list):
                self.fail(path, f"{type(value).__name__} where {kind} is expected")
                return
            inner = kind[len("list["):-1]
            for index, item in enumerate(value):
                self.check(f"{path}[{index}]", inner, item, complete)
            return
        if kind.startswith("dict("):
            if not isinstance(value, dict):
                self.fail(path, f"{type(value).__name__} where {kind} is expected")
                return
            inner = kind[len("dict("):-1].split(",", 1)[1].strip()
            for key, item in value.items():
                self.check(f"{path}.{key}", inner, item)
            return
        if kind == "str":
            ok = isinstance(value, str)
        elif kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind == "float":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif kind == "bool":
            ok = isinstance(value, bool)
        elif kind == "datetime":
            ok = isinstance(value, str) and DATETIME.match(value) is not None
        elif kind == "date":
            ok = isinstance(value, str) and DATE.match(value) is not None
        else:
            self.check_model(path, kind, value, complete)
            return
        if not ok:
            self.fail(path, f"{json.dumps(value)[:60]} is not a {kind}")

    def check_enum(self, path, instance, attr, value):
        """The SDK's setter turns a value outside the enum into `outdated_sdk_version`."""
        if instance is None or not isinstance(value, str):
            return
        try:
            setattr(instance, attr, value)
            stored = getattr(instance, attr)
        except (ValueError, TypeError):
            return
        if stored == "outdated_sdk_version" and value != "outdated_sdk_version":
            self.fail(path, f"{value!r} is not one of the model's enum values")

    def check_model(self, path, name, value, complete=True):
        found = self.model(name)
        if found is None:
            self.fail(path, f"no SDK model {name}")
            return
        keys, instance = found
        self.models.add(name)
        if not isinstance(value, dict):
            self.fail(path, f"{type(value).__name__} where model {name} is expected")
            return
        required = REQUIRED.get(name) if complete else []
        if required is None and "id" in keys and "selfUri" in keys:
            required = ["id", "selfUri"]
        for key in required or []:
            if key not in value:
                self.fail(path, f"{name} always carries {key!r}, missing")
        for key, item in value.items():
            self.keys += 1
            if key not in keys:
                self.fail(f"{path}.{key}", f"key not in {name}")
                continue
            attr, kind = keys[key]
            # A listing's entities are whole objects; every other nested object may be partial.
            self.check(f"{path}.{key}", kind, item, complete and key == "entities")
            if kind == "str":
                self.check_enum(f"{path}.{key}", instance, attr, item)


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        recorded = json.load(handle)
    checker = Checker()
    for sample in recorded["samples"]:
        checker.check_model(sample["label"], sample["model"], sample["body"])
    for line in checker.mismatches:
        print("MISMATCH", line)
    for skipped in recorded.get("skipped", []):
        print("SKIPPED", skipped)
    print(
        f"SDK models checked: {len(checker.models)} models, {len(recorded['samples'])} samples, "
        f"{checker.keys} keys, {len(checker.mismatches)} mismatches"
    )
    return 1 if checker.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
