"""The demo's monitor pass: the replication and cluster monitor over simulators with many healthy items."""

from __future__ import annotations

from demo.transcript import Transcript


def monitor_scenario(t: Transcript) -> None:
    from cbprovider.automation.monitor import Monitor
    from cbprovider.automation.settings import CapellaTarget, CloudBasicTarget, MonitorSettings
    from cbprovider.deadline import Deadline

    from cbctl.monitor import render_table
    from simulators.capella import CapellaSimulator
    from simulators.cloudbasic import CloudBasicSimulator

    with CloudBasicSimulator(seeding_seconds=0.5) as cb, CapellaSimulator(deploy_seconds=0.5) as cap:
        t.section("Monitor pass (CloudBasic replications and Capella clusters)")
        cb.add_replications(12, seeded=True, name_prefix="sales")
        project = cap.add_project("monitoring")
        cap.add_clusters(project, 14)
        assert cb.admin_keys is not None
        settings = MonitorSettings(
            cloudbasic=(CloudBasicTarget(name="appliance-1", api_url=cb.url, credentials=cb.admin_keys),),
            capella=(CapellaTarget(api_url=cap.url, credentials=(cap.access_key, cap.secret_key)),),
            concurrency=8,
        )
        report = Monitor(settings).run(Deadline.after(60))
        t.line(render_table(report.to_dict()))
        t.line()
        t.line(report.summary_line())
        if not report.healthy:
            t.failures.append("the monitor found problems on healthy simulators")
