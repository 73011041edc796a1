from fieldguide.cli import main

main()
