"""``gegenstrom``: the command line for HR, admins and operators.

It talks to the running services over their HTTP APIs, as any client would.
"""

import typer

from gegenstrom_cli import demo, imports, rollouts, tokens

app = typer.Typer(no_args_is_help=True, help=__doc__)
app.command("token")(tokens.token)
app.add_typer(imports.app, name="import")
app.add_typer(rollouts.app, name="rollout")
app.add_typer(demo.app, name="demo")

if __name__ == "__main__":
    app()
