# fish completion for soundcheck(1)
# Install as ~/.config/fish/completions/soundcheck.fish (or in a vendor_completions.d).

# The subcommand path of the command line before the cursor ("" for soundcheck itself,
# "session", "session check", "route loopback up"), ignoring options and the values of the
# options that take one (route list's --input and --output take none).
function __soundcheck_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path ""
    set -l skip 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        if test "$path" = "route list"
            continue
        end
        switch $t
            case --config --profile --category --mode --options --preferred-rate --io-buffer --api \
                -o --output -f --format -e --codec -b --bitrate -r --rate -c --channels -d --duration --split \
                -D --device --on-interrupt --resume --device-wait --for --reason --volume --start \
                --input --max-latency --min-gain --max-gain --max-noise --max-thdn --max-dropouts
                set skip 1
                continue
            case '-*'
                continue
        end
        switch $path
            case ""
                if contains -- $t record play info repair route session
                    set path $t
                end
            case route
                if contains -- $t list show set watch loopback test
                    set path "route $t"
                end
            case "route loopback"
                if contains -- $t up down status
                    set path "route loopback $t"
                end
            case session
                if contains -- $t check decode list watch activate interrupt
                    set path "session $t"
                end
        end
    end
    echo $path
end

# Succeeds when the subcommand path is exactly $argv[1].
function __soundcheck_is
    set -l path (__soundcheck_path)
    test "$path" = "$argv[1]"
end

# The items of a comma-separated --options list: the part before the last comma, followed
# by each option name.
function __soundcheck_option_list
    set -l token (commandline -ct)
    set -l prefix (string replace -r '[^,]*$' '' -- $token)
    for name in mixWithOthers duckOthers allowBluetooth allowBluetoothHFP defaultToSpeaker \
            interruptSpokenAudioAndMixWithOthers allowBluetoothA2DP allowAirPlay \
            overrideMutedMicrophoneInterruption
        echo $prefix$name
    end
end

# The profile names of the config file: --config FILE when given, else the default file.
function __soundcheck_profiles
    set -l file
    set -l tokens (commandline -opc)
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case --config
                set file $tokens[(math $i + 1)]
            case '--config=*'
                set file (string replace -- --config= '' $tokens[$i])
        end
    end
    if test -z "$file"
        if test -n "$XDG_CONFIG_HOME"
            set file $XDG_CONFIG_HOME/soundcheck/config.toml
        else
            set file $HOME/.config/soundcheck/config.toml
        end
    end
    set file (string replace -r '^~' $HOME -- $file)
    test -r "$file"; or return
    string match -r -g '^\s*\[\s*profiles\.([^\].]+?)\s*\]' <$file | string trim -c '"\''
end

# soundcheck
complete -c soundcheck -n '__soundcheck_is ""' -f -a record -d 'Record from a device into a file, or to stdout'
complete -c soundcheck -n '__soundcheck_is ""' -f -a play -d 'Play files one after another, without a gap, under an audio session'
complete -c soundcheck -n '__soundcheck_is ""' -f -a info -d 'What audio files are, finalized or not, what repair would do'
complete -c soundcheck -n '__soundcheck_is ""' -f -a repair -d 'Make a file that a crash left behind whole again'
complete -c soundcheck -n '__soundcheck_is ""' -f -a route -d 'Audio routes: devices, the route a profile gets, route changes, loopback, round-trip test'
complete -c soundcheck -n '__soundcheck_is ""' -f -a session -d 'Audio sessions: check, decode, list, watch, activate, interrupt'
complete -c soundcheck -n '__soundcheck_is ""' -l json -d 'Machine output: one JSON document on stdout'
complete -c soundcheck -n '__soundcheck_is ""' -s q -l quiet -d 'No meter or progress'
complete -c soundcheck -n '__soundcheck_is ""' -s v -l verbose -d 'More detail on stderr'
complete -c soundcheck -n '__soundcheck_is ""' -l config -r -F -d 'Profiles and preferences file'
complete -c soundcheck -n '__soundcheck_is ""' -s h -l help -d 'Print help'
complete -c soundcheck -n '__soundcheck_is ""' -l version -d 'Print the version and the versions of the libraries'

# soundcheck play
complete -c soundcheck -n '__soundcheck_is play' -F -d 'Audio file'
complete -c soundcheck -n '__soundcheck_is "play"' -s D -l device -x -a 'default virtual virtual:speed=max pulse:soundcheck_loop' -d 'Output device (twice with multiRoute)'
complete -c soundcheck -n '__soundcheck_is "play"' -l volume -x -a '-6dB -12dB +3dB 0.5 1 2' -d 'Output level: dB or a factor'
complete -c soundcheck -n '__soundcheck_is "play"' -l start -x -a '0 10s 1m 1m30s' -d 'Start this far into the first file'
complete -c soundcheck -n '__soundcheck_is "play"' -l duration -x -a '10s 1m 10m' -d 'Play at most this much audio'
complete -c soundcheck -n '__soundcheck_is "play"' -l on-interrupt -x -a 'pause stop' -d 'What an interruption does'
complete -c soundcheck -n '__soundcheck_is "play"' -l profile -x -a '(__soundcheck_profiles)' -d 'A named profile from the config file'
complete -c soundcheck -n '__soundcheck_is "play"' -l category -x -a 'playback playAndRecord soloAmbient ambient multiRoute' -d 'Session category'
complete -c soundcheck -n '__soundcheck_is "play"' -l mode -x -a 'default moviePlayback spokenAudio voicePrompt measurement' -d 'Session mode'
complete -c soundcheck -n '__soundcheck_is "play"' -l options -x -a '(__soundcheck_option_list)' -d 'Comma-separated category options'
complete -c soundcheck -n '__soundcheck_is "play"' -l preferred-rate -x -a '44100 48000 88200 96000' -d 'Sample rate of the stream'
complete -c soundcheck -n '__soundcheck_is "play"' -l io-buffer -x -a '2ms 5ms 10ms 20ms' -d 'Device period to ask for'
complete -c soundcheck -n '__soundcheck_is "play"' -l background -d 'The process goes to the background once its session is active'
complete -c soundcheck -n '__soundcheck_is "play"' -l no-notify -d 'Deactivate without notifyOthersOnDeactivation'
complete -c soundcheck -n '__soundcheck_is "play"' -s h -l help -d 'Print help'

# soundcheck info
complete -c soundcheck -n '__soundcheck_is info' -F -d 'Audio file'
complete -c soundcheck -n '__soundcheck_is info' -s h -l help -d 'Print help'

# soundcheck repair
complete -c soundcheck -n '__soundcheck_is repair' -F -d 'File to repair'
complete -c soundcheck -n '__soundcheck_is repair' -s o -l output -r -F -d 'Write the repaired file here, leave FILE as it is'
complete -c soundcheck -n '__soundcheck_is repair' -s h -l help -d 'Print help'

# soundcheck route
complete -c soundcheck -n '__soundcheck_is route' -f
complete -c soundcheck -n '__soundcheck_is route' -f -a list -d 'List the devices of every audio API and the virtual device'
complete -c soundcheck -n '__soundcheck_is route' -f -a show -d 'The route a session with this profile gets'
complete -c soundcheck -n '__soundcheck_is route' -f -a set -d 'Store the preferred input and output devices; without flags, print them'
complete -c soundcheck -n '__soundcheck_is route' -f -a watch -d 'Route changes as they happen, with their AVAudioSession reason'
complete -c soundcheck -n '__soundcheck_is route' -f -a loopback -d 'A loopback device for headless machines (null sink soundcheck_loop)'
complete -c soundcheck -n '__soundcheck_is route' -f -a test -d 'Play a test signal and capture it: latency, gain, noise, THD+N, dropouts'
complete -c soundcheck -n '__soundcheck_is route' -s h -l help -d 'Print help'

# soundcheck route list
complete -c soundcheck -n '__soundcheck_is "route list"' -f
complete -c soundcheck -n '__soundcheck_is "route list"' -l input -d 'Only devices that can capture'
complete -c soundcheck -n '__soundcheck_is "route list"' -l output -d 'Only devices that can play'
complete -c soundcheck -n '__soundcheck_is "route list"' -l api -x -a 'pulse alsa jack virtual' -d 'Only this audio API'
complete -c soundcheck -n '__soundcheck_is "route list"' -s h -l help -d 'Print help'

# soundcheck route show
complete -c soundcheck -n '__soundcheck_is "route show"' -f
complete -c soundcheck -n '__soundcheck_is "route show"' -l input -x -a 'default virtual pulse:soundcheck_loop.monitor' -d 'Input device instead of the preferred one'
complete -c soundcheck -n '__soundcheck_is "route show"' -l output -x -a 'default virtual pulse:soundcheck_loop' -d 'Output device instead of the preferred one'
complete -c soundcheck -n '__soundcheck_is "route show"' -l profile -x -a '(__soundcheck_profiles)' -d 'A named profile from the config file'
complete -c soundcheck -n '__soundcheck_is "route show"' -l category -x -a 'ambient soloAmbient playback record playAndRecord multiRoute' -d 'Session category: which sides are shown'
complete -c soundcheck -n '__soundcheck_is "route show"' -l mode -x -a 'default voiceChat videoChat gameChat videoRecording measurement moviePlayback spokenAudio voicePrompt' -d 'Session mode'
complete -c soundcheck -n '__soundcheck_is "route show"' -l options -x -a '(__soundcheck_option_list)' -d 'Comma-separated category options'
complete -c soundcheck -n '__soundcheck_is "route show"' -l preferred-rate -x -a '44100 48000 88200 96000 44.1k 48k' -d 'Preferred sample rate in Hz'
complete -c soundcheck -n '__soundcheck_is "route show"' -l io-buffer -x -a '2ms 5ms 10ms 20ms' -d 'Preferred I/O buffer duration'
complete -c soundcheck -n '__soundcheck_is "route show"' -l background -d 'The process goes to the background once its session is active'
complete -c soundcheck -n '__soundcheck_is "route show"' -l no-notify -d 'Deactivate without notifyOthersOnDeactivation'
complete -c soundcheck -n '__soundcheck_is "route show"' -s h -l help -d 'Print help'

# soundcheck route set
complete -c soundcheck -n '__soundcheck_is "route set"' -f
complete -c soundcheck -n '__soundcheck_is "route set"' -l input -x -a 'default virtual pulse:soundcheck_loop.monitor' -d 'Store this input, by name'
complete -c soundcheck -n '__soundcheck_is "route set"' -l output -x -a 'default virtual pulse:soundcheck_loop' -d 'Store this output, by name'
complete -c soundcheck -n '__soundcheck_is "route set"' -l clear -d 'Forget the stored devices first'
complete -c soundcheck -n '__soundcheck_is "route set"' -s h -l help -d 'Print help'

# soundcheck route watch
complete -c soundcheck -n '__soundcheck_is "route watch"' -f
complete -c soundcheck -n '__soundcheck_is "route watch"' -l for -x -a '500ms 5s 30s 1m 1h' -d 'Stop after this long'
complete -c soundcheck -n '__soundcheck_is "route watch"' -s h -l help -d 'Print help'

# soundcheck route loopback
complete -c soundcheck -n '__soundcheck_is "route loopback"' -f
complete -c soundcheck -n '__soundcheck_is "route loopback"' -f -a up -d 'Start PulseAudio if needed, load the null sink, make it the default'
complete -c soundcheck -n '__soundcheck_is "route loopback"' -f -a down -d 'Remove what up made, restore the previous defaults'
complete -c soundcheck -n '__soundcheck_is "route loopback"' -f -a status -d 'The server, the sink and its monitor, the defaults, module-role-cork'
complete -c soundcheck -n '__soundcheck_is "route loopback"' -s h -l help -d 'Print help'
complete -c soundcheck -n '__soundcheck_is "route loopback up"' -f
complete -c soundcheck -n '__soundcheck_is "route loopback up"' -s h -l help -d 'Print help'
complete -c soundcheck -n '__soundcheck_is "route loopback down"' -f
complete -c soundcheck -n '__soundcheck_is "route loopback down"' -s h -l help -d 'Print help'
complete -c soundcheck -n '__soundcheck_is "route loopback status"' -f
complete -c soundcheck -n '__soundcheck_is "route loopback status"' -s h -l help -d 'Print help'

# soundcheck route test
complete -c soundcheck -n '__soundcheck_is "route test"' -f
complete -c soundcheck -n '__soundcheck_is "route test"' -s D -l device -x -a 'virtual:signal=loop default' -d 'One duplex device that plays and captures'
complete -c soundcheck -n '__soundcheck_is "route test"' -l input -x -a 'default virtual pulse:soundcheck_loop.monitor' -d 'The input to capture from'
complete -c soundcheck -n '__soundcheck_is "route test"' -l output -x -a 'default virtual pulse:soundcheck_loop' -d 'The output to play to'
complete -c soundcheck -n '__soundcheck_is "route test"' -l duration -x -a '1s 2.5s 5s 10s' -d 'The whole test signal (default 2.5s, 1s to 60s)'
complete -c soundcheck -n '__soundcheck_is "route test"' -l max-latency -x -a '10ms 20ms 50ms 100ms 500ms' -d 'Round-trip latency at most (default 500ms)'
complete -c soundcheck -n '__soundcheck_is "route test"' -l min-gain -x -a '-12 -6 -3 -1' -d 'Gain at least (default -20 dB)'
complete -c soundcheck -n '__soundcheck_is "route test"' -l max-gain -x -a '1 3 6 12' -d 'Gain at most (default +6 dB)'
complete -c soundcheck -n '__soundcheck_is "route test"' -l max-noise -x -a '-96 -80 -70 -60' -d 'Noise floor at most (default -50 dBFS)'
complete -c soundcheck -n '__soundcheck_is "route test"' -l max-thdn -x -a '-80 -60 -40 -20' -d 'THD+N at most (default -40 dB)'
complete -c soundcheck -n '__soundcheck_is "route test"' -l max-dropouts -x -a '0 1 5 10' -d 'Dropouts at most (default 0)'
complete -c soundcheck -n '__soundcheck_is "route test"' -l profile -x -a '(__soundcheck_profiles)' -d 'A named profile from the config file'
complete -c soundcheck -n '__soundcheck_is "route test"' -l category -x -a 'playAndRecord' -d 'Session category: only playAndRecord plays and records at once'
complete -c soundcheck -n '__soundcheck_is "route test"' -l mode -x -a 'default measurement voiceChat videoChat gameChat videoRecording' -d 'Session mode'
complete -c soundcheck -n '__soundcheck_is "route test"' -l options -x -a '(__soundcheck_option_list)' -d 'Comma-separated category options'
complete -c soundcheck -n '__soundcheck_is "route test"' -l preferred-rate -x -a '44100 48000 88200 96000' -d 'Rate of the streams and the test signal'
complete -c soundcheck -n '__soundcheck_is "route test"' -l io-buffer -x -a '2ms 5ms 10ms 20ms' -d 'Device period to ask for'
complete -c soundcheck -n '__soundcheck_is "route test"' -l background -d 'The process goes to the background once its session is active'
complete -c soundcheck -n '__soundcheck_is "route test"' -l no-notify -d 'Deactivate without notifyOthersOnDeactivation'
complete -c soundcheck -n '__soundcheck_is "route test"' -s h -l help -d 'Print help'

# soundcheck session
complete -c soundcheck -n '__soundcheck_is session' -f -a check -d 'Validate a profile and print it resolved'
complete -c soundcheck -n '__soundcheck_is session' -f -a decode -d 'Explain AVAudioSession error codes'
complete -c soundcheck -n '__soundcheck_is session' -f -a list -d "The sessions of this user's registry"
complete -c soundcheck -n '__soundcheck_is session' -f -a watch -d "Every notification of this user's sessions as it happens"
complete -c soundcheck -n '__soundcheck_is session' -f -a activate -d 'Activate a session with a profile and hold it'
complete -c soundcheck -n '__soundcheck_is session' -f -a interrupt -d 'A call, voice assistant or alarm that interrupts the others'
complete -c soundcheck -n '__soundcheck_is session' -s h -l help -d 'Print help'

# soundcheck session check
complete -c soundcheck -n '__soundcheck_is "session check"' -f
complete -c soundcheck -n '__soundcheck_is "session check"' -l profile -x -a '(__soundcheck_profiles)' -d 'A named profile from the config file'
complete -c soundcheck -n '__soundcheck_is "session check"' -l category -x -a 'ambient soloAmbient playback record playAndRecord multiRoute' -d 'Session category'
complete -c soundcheck -n '__soundcheck_is "session check"' -l mode -x -a 'default voiceChat videoChat gameChat videoRecording measurement moviePlayback spokenAudio voicePrompt' -d 'Session mode'
complete -c soundcheck -n '__soundcheck_is "session check"' -l options -x -a '(__soundcheck_option_list)' -d 'Comma-separated category options'
complete -c soundcheck -n '__soundcheck_is "session check"' -l preferred-rate -x -a '44100 48000 88200 96000 44.1k 48k' -d 'Preferred sample rate in Hz'
complete -c soundcheck -n '__soundcheck_is "session check"' -l io-buffer -x -a '2ms 5ms 10ms 20ms' -d 'Preferred I/O buffer duration'
complete -c soundcheck -n '__soundcheck_is "session check"' -l background -d 'The process goes to the background once its session is active'
complete -c soundcheck -n '__soundcheck_is "session check"' -l no-notify -d 'Deactivate without notifyOthersOnDeactivation'
complete -c soundcheck -n '__soundcheck_is "session check"' -s h -l help -d 'Print help'

# soundcheck session decode
complete -c soundcheck -n '__soundcheck_is "session decode"' -f -a 'none badParam isBusy incompatibleCategory cannotInterruptOthers insufficientPriority cannotStartPlaying cannotStartRecording resourceNotAvailable expiredSession sessionNotActive mediaServicesFailed siriIsRecording missingEntitlement unspecified' -d 'Error code'
complete -c soundcheck -n '__soundcheck_is "session decode"' -l list -d 'Explain every code'
complete -c soundcheck -n '__soundcheck_is "session decode"' -s h -l help -d 'Print help'

# soundcheck session list
complete -c soundcheck -n '__soundcheck_is "session list"' -f
complete -c soundcheck -n '__soundcheck_is "session list"' -s h -l help -d 'Print help'

# soundcheck session watch
complete -c soundcheck -n '__soundcheck_is "session watch"' -f
complete -c soundcheck -n '__soundcheck_is "session watch"' -l for -x -a '5s 30s 1m 10m' -d 'Stop after this long'
complete -c soundcheck -n '__soundcheck_is "session watch"' -s h -l help -d 'Print help'

# soundcheck session activate
complete -c soundcheck -n '__soundcheck_is "session activate"' -f
complete -c soundcheck -n '__soundcheck_is "session activate"' -l profile -x -a '(__soundcheck_profiles)' -d 'A named profile from the config file'
complete -c soundcheck -n '__soundcheck_is "session activate"' -l category -x -a 'ambient soloAmbient playback record playAndRecord multiRoute' -d 'Session category'
complete -c soundcheck -n '__soundcheck_is "session activate"' -l mode -x -a 'default voiceChat videoChat gameChat videoRecording measurement moviePlayback spokenAudio voicePrompt' -d 'Session mode'
complete -c soundcheck -n '__soundcheck_is "session activate"' -l options -x -a '(__soundcheck_option_list)' -d 'Comma-separated category options'
complete -c soundcheck -n '__soundcheck_is "session activate"' -l preferred-rate -x -a '44100 48000 88200 96000 44.1k 48k' -d 'Preferred sample rate in Hz'
complete -c soundcheck -n '__soundcheck_is "session activate"' -l io-buffer -x -a '2ms 5ms 10ms 20ms' -d 'Preferred I/O buffer duration'
complete -c soundcheck -n '__soundcheck_is "session activate"' -l background -d 'The process goes to the background once its session is active'
complete -c soundcheck -n '__soundcheck_is "session activate"' -l no-notify -d 'Deactivate without notifyOthersOnDeactivation'
complete -c soundcheck -n '__soundcheck_is "session activate"' -l for -x -a '0 500ms 5s 30s 1m' -d 'Deactivate after this long'
complete -c soundcheck -n '__soundcheck_is "session activate"' -s h -l help -d 'Print help'

# soundcheck session interrupt
complete -c soundcheck -n '__soundcheck_is "session interrupt"' -f
complete -c soundcheck -n '__soundcheck_is "session interrupt"' -l reason -x -a 'call siri alarm' -d 'What interrupts'
complete -c soundcheck -n '__soundcheck_is "session interrupt"' -l for -x -a '500ms 5s 30s 1m' -d 'Deactivate after this long'
complete -c soundcheck -n '__soundcheck_is "session interrupt"' -l no-notify -d 'Deactivate without notifyOthersOnDeactivation'
complete -c soundcheck -n '__soundcheck_is "session interrupt"' -s h -l help -d 'Print help'

# soundcheck record
complete -c soundcheck -n '__soundcheck_is "record"' -s o -l output -r -F -d 'Output file'
complete -c soundcheck -n '__soundcheck_is "record"' -s f -l format -x -a 'wav rf64 caf m4a' -d 'Container'
complete -c soundcheck -n '__soundcheck_is "record"' -s e -l codec -x -a 'pcm16 pcm24 pcm32 float32 aac alac alac24' -d 'Codec'
complete -c soundcheck -n '__soundcheck_is "record"' -s b -l bitrate -x -a '32k 64k 96k 128k 192k 256k' -d 'AAC bitrate'
complete -c soundcheck -n '__soundcheck_is "record"' -s r -l rate -x -a '44100 48000 88200 96000 44.1k 48k' -d 'File sample rate in Hz'
complete -c soundcheck -n '__soundcheck_is "record"' -s c -l channels -x -a '1 2' -d 'File channels'
complete -c soundcheck -n '__soundcheck_is "record"' -s d -l duration -x -a '10s 1m 10m 1h' -d 'Stop after this long on the session clock'
complete -c soundcheck -n '__soundcheck_is "record"' -l split -x -a '1m 10m 1h' -d 'A new numbered file every this long'
complete -c soundcheck -n '__soundcheck_is "record"' -l force -d 'Overwrite an existing file'
complete -c soundcheck -n '__soundcheck_is "record"' -l fragmented -d 'm4a: keep the fragmented MP4'
complete -c soundcheck -n '__soundcheck_is "record"' -s D -l device -x -a 'default virtual virtual:speed=max' -d 'Input device'
complete -c soundcheck -n '__soundcheck_is "record"' -l on-interrupt -x -a 'pause split stop' -d 'What an interruption does'
complete -c soundcheck -n '__soundcheck_is "record"' -l resume -x -a 'auto always never' -d 'What the end of an interruption does'
complete -c soundcheck -n '__soundcheck_is "record"' -l retry -d 'Retry a refused resume every second'
complete -c soundcheck -n '__soundcheck_is "record"' -l device-wait -x -a '10s 30s 1m 5m' -d 'How long a lost device or server is waited for'
complete -c soundcheck -n '__soundcheck_is "record"' -l follow-default -d 'After the device goes away, continue on the new default input'
complete -c soundcheck -n '__soundcheck_is "record"' -l profile -x -a '(__soundcheck_profiles)' -d 'A named profile from the config file'
complete -c soundcheck -n '__soundcheck_is "record"' -l category -x -a 'record playAndRecord' -d 'Session category'
complete -c soundcheck -n '__soundcheck_is "record"' -l mode -x -a 'default voiceChat videoChat gameChat videoRecording measurement' -d 'Session mode'
complete -c soundcheck -n '__soundcheck_is "record"' -l options -x -a '(__soundcheck_option_list)' -d 'Comma-separated category options'
complete -c soundcheck -n '__soundcheck_is "record"' -l preferred-rate -x -a '44100 48000 88200 96000' -d 'Sample rate to ask the device for'
complete -c soundcheck -n '__soundcheck_is "record"' -l io-buffer -x -a '2ms 5ms 10ms 20ms' -d 'Device period to ask for'
complete -c soundcheck -n '__soundcheck_is "record"' -l background -d 'The process goes to the background once its session is active'
complete -c soundcheck -n '__soundcheck_is "record"' -l no-notify -d 'Deactivate without notifyOthersOnDeactivation'
complete -c soundcheck -n '__soundcheck_is "record"' -s h -l help -d 'Print help'
