"""The bundled plugins through the Python client: a real retaind started with
--plugins=<the five .so files>; the wrapper's plugins.list() sees them READY,
and each plugin's generated stub answers over the same channel."""

from retain.plugin.v1 import plugin_service_pb2
from retain.plugins.advocacy.v1 import advocacy_pb2, advocacy_pb2_grpc
from retain.plugins.expansion.v1 import expansion_pb2, expansion_pb2_grpc
from retain.plugins.onboarding.v1 import onboarding_pb2, onboarding_pb2_grpc
from retain.plugins.playbooks.v1 import playbooks_pb2, playbooks_pb2_grpc
from retain.plugins.voc.v1 import voc_pb2, voc_pb2_grpc

BUNDLED_PLUGINS = ("onboarding", "expansion", "advocacy", "voc", "playbooks")


def test_plugins_list_shows_the_bundled_plugins_ready(plugin_client):
    response = plugin_client.plugins.list()
    by_name = {p.name: p for p in response.plugins}
    assert sorted(by_name) == sorted(BUNDLED_PLUGINS)
    for name in BUNDLED_PLUGINS:
        plugin = by_name[name]
        assert plugin.state == plugin_service_pb2.PLUGIN_STATE_READY, plugin
        assert plugin.version
        assert plugin.services, plugin
        assert plugin.abi_major == response.host_abi_major
        assert plugin.last_error == ""


def test_each_plugin_service_answers_through_generated_stubs(plugin_client):
    c = plugin_client
    c.accounts.create("py-plugins", display_name="Py Plugins", arr=60000,
                      licensed_seats=30, contract_start_time="2024-01-01")

    onboarding = onboarding_pb2_grpc.OnboardingServiceStub(c.channel)
    plan = c.call(onboarding.StartOnboarding,
                  onboarding_pb2.StartOnboardingRequest(account_id="py-plugins"))
    assert plan.account_id == "py-plugins"
    assert len(plan.milestones) > 0

    expansion = expansion_pb2_grpc.ExpansionServiceStub(c.channel)
    opp = c.call(expansion.CreateOpportunity, expansion_pb2.CreateOpportunityRequest(
        account_id="py-plugins", type=expansion_pb2.OPPORTUNITY_TYPE_UPSELL,
        amount=12000, opportunity_id="py-opp"))
    assert opp.stage == expansion_pb2.STAGE_IDENTIFIED
    forecast = c.call(expansion.GetForecast, expansion_pb2.GetForecastRequest())
    assert forecast.open_count == 1
    assert forecast.open_amount == 12000

    advocacy = advocacy_pb2_grpc.AdvocacyServiceStub(c.channel)
    referral = c.call(advocacy.CreateReferral, advocacy_pb2.CreateReferralRequest(
        account_id="py-plugins", prospect="Globex", estimated_arr=9000))
    assert referral.status == advocacy_pb2.REFERRAL_STATUS_OPEN
    assert c.call(advocacy.GetFlywheel, advocacy_pb2.GetFlywheelRequest()).referrals == 1
    referrals = c.call(advocacy.ListReferrals, advocacy_pb2.ListReferralsRequest(
        account_id="py-plugins", page_size=10))
    assert [r.referral_id for r in referrals.referrals] == [referral.referral_id]
    assert referrals.next_page_token == ""
    manual = c.call(expansion.ListOpportunities,
                    expansion_pb2.ListOpportunitiesRequest(source="manual"))
    assert [o.opportunity_id for o in manual.opportunities] == ["py-opp"]

    voc = voc_pb2_grpc.VocServiceStub(c.channel)
    feedback = c.call(voc.CreateFeedback, voc_pb2.CreateFeedbackRequest(
        account_id="py-plugins", text="Needs SSO", themes=["security"]))
    assert feedback.source == voc_pb2.SOURCE_MANUAL
    listed = c.call(voc.ListFeedback, voc_pb2.ListFeedbackRequest(theme="security"))
    assert [f.feedback_id for f in listed.feedback] == [feedback.feedback_id]


def test_playbook_service_lists_playbooks_tasks_and_plans(plugin_client):
    c = plugin_client
    c.accounts.create("py-playbooks", display_name="Py Playbooks", arr=60000,
                      licensed_seats=30, contract_start_time="2024-01-01")
    playbooks = playbooks_pb2_grpc.PlaybookServiceStub(c.channel)

    # The defaults, paged.
    ids, token = [], ""
    while True:
        page = c.call(playbooks.ListPlaybooks, playbooks_pb2.ListPlaybooksRequest(
            page_size=4, page_token=token))
        assert len(page.playbooks) <= 4
        ids += [p.playbook_id for p in page.playbooks]
        assert all(p.source == playbooks_pb2.PLAYBOOK_SOURCE_DEFAULT for p in page.playbooks)
        token = page.next_page_token
        if not token:
            break
    assert ids == sorted(ids)
    assert "risk_red_high_touch" in ids and "renewal_prep_90" in ids

    created = c.call(playbooks.CreatePlaybook, playbooks_pb2.CreatePlaybookRequest(
        playbook=playbooks_pb2.Playbook(
            playbook_id="py_sponsor_left", title="Sponsor left",
            trigger=playbooks_pb2.Trigger(
                kind=playbooks_pb2.TRIGGER_KIND_CUSTOM_SIGNAL, signal_type="crm.sponsor_left"),
            task=playbooks_pb2.TaskTemplate(
                title="Re-thread", priority=playbooks_pb2.PRIORITY_HIGH, due_days=7,
                owner=playbooks_pb2.Owner(kind=playbooks_pb2.OWNER_KIND_ACCOUNT_CSM)))))
    assert created.source == playbooks_pb2.PLAYBOOK_SOURCE_API
    got = c.call(playbooks.GetPlaybook, playbooks_pb2.GetPlaybookRequest(
        playbook_id="py_sponsor_left"))
    assert got.task.due_days == 7

    # No task of the new playbook yet (the account's first band change may
    # have opened a risk task through the health-event feed).
    tasks = c.call(playbooks.ListTasks, playbooks_pb2.ListTasksRequest(
        account_id="py-playbooks", playbook_id="py_sponsor_left"))
    assert list(tasks.tasks) == []
    assert tasks.next_page_token == ""

    plan = c.call(playbooks.CreateSuccessPlan, playbooks_pb2.CreateSuccessPlanRequest(
        plan=playbooks_pb2.SuccessPlan(account_id="py-playbooks")))
    assert plan.account_id == "py-playbooks"
    plans = c.call(playbooks.ListSuccessPlans, playbooks_pb2.ListSuccessPlansRequest())
    assert [p.account_id for p in plans.plans] == ["py-playbooks"]
