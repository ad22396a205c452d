"""``make demo``: every resource lifecycle against the local simulators, printed as a transcript.

Not part of the installed package or of ``cbctl``: it needs the simulators and moto (development
dependencies). The lifecycles are data: ``demo/scenarios/*.yaml`` (which simulator, which endpoints and
secrets, which resources with which properties, and the Create/Update/Delete steps), and
``examples/capella-v4.yaml`` played as a stack. ``lifecycle`` runs a scenario, ``template`` plays a
template, ``transcript`` prints what happened, ``monitor`` adds a monitor pass; run it with
``python -m demo``.
"""
