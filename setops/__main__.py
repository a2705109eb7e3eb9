from setops.cli import main

main()
