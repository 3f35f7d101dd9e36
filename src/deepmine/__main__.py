from deepmine.cli import main

raise SystemExit(main())
