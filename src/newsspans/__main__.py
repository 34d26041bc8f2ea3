from newsspans.cli import main

main(prog_name="newsspans")
