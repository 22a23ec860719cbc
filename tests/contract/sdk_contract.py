"""Contract test: the official Genesys Cloud Python SDK (purecloudplatformclientv2) against a
Switchboard emulator. Reads SWITCHBOARD_BASE_URL, SWITCHBOARD_CLIENT_ID, SWITCHBOARD_CLIENT_SECRET
(a sub-org), SWITCHBOARD_EMULATOR_CONTROL_TOKEN (the emulator's control credential) and, when set, SWITCHBOARD_HUB_CLIENT_ID, SWITCHBOARD_HUB_CLIENT_SECRET (its parent org:
the hub's shared components and a cross-org reference are checked too).
Exits non-zero with one clear message on the first failure.

The SDK derives the token URL from `configuration.host` by rewriting `//api.` to `//login.`;
a plain http://127.0.0.1:PORT has no `api.` so token and API calls go to the same host.
"""

import datetime
import json
import os
import sys
import urllib.request
import uuid

import PureCloudPlatformClientV2 as sdk


def fail(message):
    print(f"SDK contract FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def env(name):
    value = os.environ.get(name)
    if not value:
        fail(f"environment variable {name} is not set")
    return value


def main():
    base_url = env("SWITCHBOARD_BASE_URL")
    client_id = env("SWITCHBOARD_CLIENT_ID")
    client_secret = env("SWITCHBOARD_CLIENT_SECRET")

    sdk.configuration.host = base_url
    api_client = sdk.api_client.ApiClient(host=base_url)
    try:
        api_client = api_client.get_client_credentials_token(client_id, client_secret)
    except Exception as error:  # the SDK raises plain exceptions here
        fail(f"token: {error}")
    check(bool(api_client.access_token), "token: no access_token")

    organization = sdk.OrganizationApi(api_client).get_organizations_me()
    check(organization.id and organization.name, f"organizations/me: {organization}")
    print(f"org: {organization.name} ({organization.id})")

    routing = sdk.RoutingApi(api_client)
    first = routing.get_routing_queues(page_size=2, page_number=1)
    check(first.page_size == 2, f"queues: pageSize {first.page_size}")
    check(first.total >= 3, f"queues: total {first.total}")
    names = []
    page_number = 1
    while True:
        page = routing.get_routing_queues(page_size=2, page_number=page_number)
        check(len(page.entities) <= 2, f"queues page {page_number}: {len(page.entities)} entities")
        names.extend(queue.name for queue in page.entities)
        if page_number >= page.page_count:
            break
        page_number += 1
    check(len(names) == first.total, f"queues: walked {len(names)} of {first.total}")
    check(len(set(names)) == len(names), f"queues: duplicates across pages {names}")
    queue = routing.get_routing_queue(page.entities[0].id)
    check(queue.name == page.entities[0].name, "queue: get by id")
    print(f"queues: {names}")

    architect = sdk.ArchitectApi(api_client)
    flows = architect.get_flows(type=["inboundcall"], page_size=25)
    check(flows.total >= 1, f"flows: total {flows.total}")
    flow = architect.get_flow(flows.entities[0].id)
    check(flow.id == flows.entities[0].id, "flow: get by id")
    check(flow.published_version is not None and flow.published_version.id, f"flow: no published version: {flow}")
    print(f"flow: {flow.name} type={flow.type} published={flow.published_version.id}")

    table_name = f"Contract_{uuid.uuid4().hex[:8]}"
    schema = sdk.JsonSchemaDocument()
    schema.schema = "http://json-schema.org/draft-04/schema#"
    schema.type = "object"
    schema.required = ["key"]
    schema.properties = {
        "key": {"type": "string", "title": "key", "displayOrder": 0},
        "Active_Flow_ID": {"type": "string", "title": "Active_Flow_ID", "displayOrder": 1},
        "Traffic_Weight": {"type": "integer", "title": "Traffic_Weight", "displayOrder": 2},
    }
    body = sdk.DataTable()
    body.name = table_name
    body.schema = schema
    table = architect.post_flows_datatables(body)
    check(table.id and table.name == table_name, f"datatable: created {table}")
    rows = [
        {"key": "Environment_State", "Active_Flow_ID": flow.id, "Traffic_Weight": 5},
        {"key": "Fallback", "Active_Flow_ID": flow.id, "Traffic_Weight": 0},
    ]
    for row in rows:
        created = architect.post_flows_datatable_rows(table.id, row)
        check(created.get("key") == row["key"], f"datatable row: created {created}")
    read_back = architect.get_flows_datatable_rows(table.id, showbrief=False)
    by_key = {row["key"]: row for row in read_back.entities}
    check(len(by_key) == 2, f"datatable rows: {read_back.entities}")
    check(by_key["Environment_State"]["Traffic_Weight"] == 5, f"datatable row value: {by_key}")
    fetched = architect.get_flows_datatable(table.id, expand="schema")
    check("Traffic_Weight" in fetched.schema.properties, f"datatable schema: {fetched.schema}")
    print(f"datatable: {table_name} with {len(by_key)} rows")

    notifications = sdk.NotificationsApi(api_client)
    channel = notifications.post_notifications_channels()
    check(channel.id and channel.connect_uri.startswith("ws://"), f"notification channel: {channel}")
    check(channel.expires is not None, f"notification channel: no expiry: {channel}")
    user = sdk.UsersApi(api_client).get_users(page_size=1).entities[0]
    topic = sdk.ChannelTopic()
    topic.id = f"v2.users.{user.id}.presence"
    subscribed = notifications.put_notifications_channel_subscriptions(channel.id, [topic])
    check([t.id for t in subscribed.entities] == [topic.id], f"subscriptions: {subscribed}")
    listed = notifications.get_notifications_channel_subscriptions(channel.id)
    check([t.id for t in listed.entities] == [topic.id], f"subscriptions listed: {listed}")
    channels = notifications.get_notifications_channels()
    check(channel.id in [c.id for c in channels.entities], f"channels: {channels}")
    print(f"notifications: channel {channel.id} subscribed to {topic.id}")

    # One wall-clock call through the emulator's control API, then the SDK's AnalyticsApi.
    did = sdk.TelephonyProvidersEdgeApi(api_client).get_telephony_providers_edges_dids(page_size=1).entities[0]
    request = urllib.request.Request(
        f"{base_url}/_emulator/calls",
        data=json.dumps({"org": organization.id, "did": did.phone_number}).encode(),
        headers={"Content-Type": "application/json", "x-switchboard-control-token": env("SWITCHBOARD_EMULATOR_CONTROL_TOKEN")},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        placed = json.load(response)
    check(placed.get("flowFinished") and placed.get("queueId"), f"placed call did not reach a queue: {placed}")
    now = datetime.datetime.now(datetime.timezone.utc)
    query = sdk.ConversationAggregationQuery()
    query.interval = f"{(now - datetime.timedelta(hours=1)).isoformat()}/{(now + datetime.timedelta(hours=1)).isoformat()}"
    query.granularity = "PT30M"
    query.group_by = ["queueId"]
    query.metrics = ["nOffered", "tAnswered", "tAbandon"]
    aggregates = sdk.AnalyticsApi(api_client).post_analytics_conversations_aggregates_query(query)
    groups = {result.group.get("queueId"): result for result in aggregates.results or []}
    check(placed["queueId"] in groups, f"aggregates: no group for queue {placed['queueId']}: {aggregates}")
    offered = sum(
        metric.stats.count
        for data in groups[placed["queueId"]].data
        for metric in data.metrics
        if metric.metric == "nOffered"
    )
    check(offered >= 1, f"aggregates: nOffered {offered}")
    print(f"analytics: nOffered {offered} for queue {placed['queueId']}")

    check_review_reads(api_client, client_id)
    check_hub(base_url, api_client)

    print("SDK contract OK")


def check_review_reads(api_client, client_id):
    """What the reliability review reads, through the SDK's own calls: the data-action test,
    licences, limits, a second OAuth client's checkout, and per-client usage."""
    integrations = sdk.IntegrationsApi(api_client)
    actions = integrations.get_integrations_actions(page_size=25)
    check(actions.entities, "data actions: none")
    tested = integrations.post_integrations_action_test(actions.entities[0].id, {"phone": "+15551234567"})
    check(tested.success and tested.operations, f"data action test: {tested}")
    check(any(op.name == "Execute request" for op in tested.operations), f"data action test steps: {tested.operations}")
    print(f"data action test: {len(tested.operations)} steps, success {tested.success}")

    users = sdk.LicenseApi(api_client).get_license_users(page_size=100)
    check(users.entities and all(user.licenses for user in users.entities), f"license users: {users}")
    limits = sdk.OrganizationApi(api_client).get_organizations_limits_namespace("platform.api")
    check(any(limit.key == "client.credentials.token.rate.per.minute" for limit in limits.entities), f"limits: {limits}")

    oauth = sdk.OAuthApi(api_client)
    request = sdk.OAuthClientRequest()
    request.name = f"contract-{uuid.uuid4().hex[:8]}"
    request.authorized_grant_type = "CLIENT-CREDENTIALS"
    created = oauth.post_oauth_clients(request)
    check(created.id and created.secret, f"oauth client: {created}")
    second = sdk.api_client.ApiClient(host=sdk.configuration.host).get_client_credentials_token(created.id, created.secret)
    architect = sdk.ArchitectApi(api_client)
    flow_id = architect.get_flows(page_size=1).entities[0].id
    checked_out = sdk.ArchitectApi(second).post_flows_actions_checkout(flow_id)
    check(checked_out.locked_client and checked_out.locked_client.id == created.id, f"checkout: {checked_out}")
    try:
        architect.post_flows_actions_checkout(flow_id)
        fail("checkout of a flow another client holds succeeded")
    except sdk.rest.ApiException as error:
        check(error.status == 409, f"checkout held by another client: HTTP {error.status}")
    sdk.ArchitectApi(second).post_flows_actions_unlock(flow_id)

    execution = oauth.get_oauth_client_usage_summary(created.id, days="7")
    result = oauth.get_oauth_client_usage_query_result(execution.execution_id, created.id)
    check(result.query_status == "Complete", f"client usage: {result}")
    check(all(row.client_id == created.id for row in result.results), f"client usage rows: {result.results}")
    check(sum(row.requests for row in result.results) >= 1, f"client usage counts the checkout: {result.results}")
    print(f"oauth client {created.name}: {sum(row.requests for row in result.results)} requests counted")


def token(base_url, client_id, client_secret, what):
    api_client = sdk.api_client.ApiClient(host=base_url)
    try:
        return api_client.get_client_credentials_token(client_id, client_secret)
    except Exception as error:  # the SDK raises plain exceptions here
        fail(f"{what} token: {error}")


def check_hub(base_url, region_client):
    """The parent org holds users, queues, flows and integrations, and a region's flow
    references a hub queue by id (cross-org): the hub resolves it, the region cannot."""
    hub_id = os.environ.get("SWITCHBOARD_HUB_CLIENT_ID")
    hub_secret = os.environ.get("SWITCHBOARD_HUB_CLIENT_SECRET")
    if not hub_id or not hub_secret:
        print("hub: skipped (SWITCHBOARD_HUB_CLIENT_ID/SECRET not set)")
        return
    hub_client = token(base_url, hub_id, hub_secret, "hub")
    hub_org = sdk.OrganizationApi(hub_client).get_organizations_me()
    users = sdk.UsersApi(hub_client).get_users(page_size=100).entities
    titles = [user.title for user in users]
    check("Administrator" in titles and "Supervisor" in titles, f"hub users: titles {titles}")
    hub_routing = sdk.RoutingApi(hub_client)
    queue_names = [queue.name for queue in hub_routing.get_routing_queues(page_size=100).entities]
    check("Global Escalations" in queue_names, f"hub queues: {queue_names}")
    hub_architect = sdk.ArchitectApi(hub_client)
    modules = hub_architect.get_flows(type=["commonmodule"], page_size=25).entities
    check([flow.name for flow in modules] == ["Shared Greeting"], f"hub flows: {[flow.name for flow in modules]}")
    check(modules[0].type == "COMMONMODULE", f"hub module type: {modules[0].type}")
    integrations = sdk.IntegrationsApi(hub_client).get_integrations(page_size=25).entities
    check("CRM Lookup" in [integration.name for integration in integrations], f"hub integrations: {integrations}")
    print(f"hub: {hub_org.name} with {len(users)} users, queues {queue_names}, module {modules[0].name}")

    region_architect = sdk.ArchitectApi(region_client)
    escalation = region_architect.get_flows(name="Escalation", page_size=25).entities
    check(len(escalation) == 1, f"region flows named Escalation: {escalation}")
    flow = region_architect.get_flow(escalation[0].id)
    configuration = region_architect.get_flow_version_configuration(flow.id, flow.published_version.id)
    queue_id = configuration["blocks"]["to_global"]["queue"]
    queue = hub_routing.get_routing_queue(queue_id)
    check(queue.name == "Global Escalations", f"cross-org reference {queue_id} resolves in the hub to {queue.name}")
    try:
        sdk.RoutingApi(region_client).get_routing_queue(queue_id)
        fail(f"cross-org reference {queue_id} should not resolve inside the region")
    except sdk.rest.ApiException as error:
        check(error.status == 404, f"region reading the hub queue: HTTP {error.status}")
    print(f"cross-org: region flow {flow.name} -> hub queue {queue.name} ({queue_id})")


if __name__ == "__main__":
    try:
        main()
    except sdk.rest.ApiException as error:
        fail(f"API call failed: HTTP {error.status} {error.reason}: {error.body}")
    except Exception as error:
        fail(f"{type(error).__name__}: {error}")
