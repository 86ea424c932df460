"""Deploying the function from ``template.yaml``: the schema, the plan, and the ``deploy`` command.

``python -m scripts.deployment [--template template.yaml] [--plan] [--endpoint URL]``; see docs/deployment.md.
"""
