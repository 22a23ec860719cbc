"""Contract test: the official Genesys Cloud Python SDK publishes an Archy YAML flow through an
Architect job, the way CX-as-Code's genesyscloud_flow does: register the job, PUT the YAML to the
presigned URL with the returned headers, poll the job to Success and read the flow back; a broken
flow's job ends in Failure with messages. Then it exports the flow through an export job.
Reads SWITCHBOARD_BASE_URL, SWITCHBOARD_CLIENT_ID, SWITCHBOARD_CLIENT_SECRET.
"""

import os
import sys
import time
import urllib.request
import uuid

import PureCloudPlatformClientV2 as sdk

GOOD_FLOW = """\
inboundCall:
  name: {name}
  division: Home
  startUpRef: "/inboundCall/tasks/task[Main Task_10]"
  defaultLanguage: en-us
  supportedLanguages:
    en-us:
      defaultLanguageSkill:
        noValue: true
  initialGreeting:
    tts: Welcome to the contract test.
  tasks:
    - task:
        name: Main Task
        refId: Main Task_10
        actions:
          - playAudio:
              name: Play Audio
              audio:
                tts: Thank you for calling.
          - disconnect:
              name: Disconnect
"""

BROKEN_FLOW = """\
inboundCall:
  name: {name}
  division: Home
  startUpRef: "/inboundCall/tasks/task[Main Task_10]"
  defaultLanguage: en-us
  tasks:
    - task:
        name: Main Task
        refId: Main Task_10
        actions:
          - transferToAcd:
              name: To a queue that does not exist
              targetQueue:
                lit:
                  name: No Such Queue Anywhere
              preTransferAudio:
                tts: Please hold.
              failureTransferAudio:
                tts: Sorry.
              priority:
                lit: 0
              failureOutputs:
                errorType:
                  noValue: true
                errorMessage:
                  noValue: true
          - disconnect:
              name: Disconnect
"""


def fail(message):
    print(f"SDK Architect-job contract FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def env(name):
    value = os.environ.get(name)
    if not value:
        fail(f"environment variable {name} is not set")
    return value


def run_job(architect, yaml_text):
    registered = architect.post_flows_jobs()
    check(registered.id and registered.presigned_url, f"register: {registered}")
    request = urllib.request.Request(registered.presigned_url, data=yaml_text.encode(), method="PUT")
    for name, value in (registered.headers or {}).items():
        request.add_header(name, value)
    with urllib.request.urlopen(request) as response:
        check(200 <= response.status < 300, f"upload: HTTP {response.status}")
    for _ in range(200):
        job = architect.get_flows_job(registered.id, expand=["messages"])
        if job.status in ("Success", "Failure"):
            return job
        time.sleep(0.05)
    fail(f"job {registered.id} never finished")


def main():
    base_url = env("SWITCHBOARD_BASE_URL")
    sdk.configuration.host = base_url
    api_client = sdk.api_client.ApiClient(host=base_url)
    try:
        api_client = api_client.get_client_credentials_token(env("SWITCHBOARD_CLIENT_ID"), env("SWITCHBOARD_CLIENT_SECRET"))
    except Exception as error:
        fail(f"token: {error}")
    architect = sdk.ArchitectApi(api_client)

    name = f"SDK Contract IVR {uuid.uuid4().hex[:6]}"
    job = run_job(architect, GOOD_FLOW.format(name=name))
    check(job.status == "Success", f"good flow: status {job.status}, messages {job.messages}")
    check(job.command == "Publish", f"good flow: command {job.command}")
    check(job.flow is not None and job.flow.id, f"good flow: no flow in {job}")
    flow = architect.get_flow(job.flow.id)
    check(flow.name == name, f"flow name {flow.name!r}")
    check(flow.type == "INBOUNDCALL", f"flow type {flow.type}")
    check(flow.published_version is not None, "flow has no published version")
    print(f"published: {flow.name} ({flow.id}) version {flow.published_version.id}")

    broken = run_job(architect, BROKEN_FLOW.format(name=f"SDK Broken IVR {uuid.uuid4().hex[:6]}"))
    check(broken.status == "Failure", f"broken flow: status {broken.status}")
    texts = [message.text for message in (broken.messages or [])]
    check(any("No Such Queue Anywhere" in text for text in texts), f"broken flow: messages {texts}")
    check(all(message.type == "Error" for message in broken.messages), f"broken flow: message types {broken.messages}")
    print(f"failed as expected: {texts}")

    body = sdk.RegisterArchitectExportJob()
    details = sdk.ExportDetails()
    details.flow = sdk.ArchitectFlowReference()
    details.flow.id = flow.id
    details.export_type = "Yaml"
    body.flows = [details]
    registered = architect.post_flows_export_jobs(body)
    for _ in range(200):
        state = architect.get_flows_export_job(registered.id)
        if state.status in ("Success", "Failure"):
            break
        time.sleep(0.05)
    check(state.status == "Success" and state.download_url, f"export: {state}")
    with urllib.request.urlopen(state.download_url) as response:
        exported = response.read().decode()
    check(name in exported, f"export does not name the flow: {exported[:200]}")
    print("exported the flow back as YAML")

    configuration = architect.get_flow_latestconfiguration(flow.id)
    check(configuration is not None, "latestconfiguration is empty")
    print("SDK Architect-job contract OK")


if __name__ == "__main__":
    main()
