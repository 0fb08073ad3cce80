# bash completion for soundcheck(1)                                -*- shell-script -*-
#
# Install as /usr/share/bash-completion/completions/soundcheck, or source it from ~/.bashrc.

# COMPREPLY=($(compgen ...)) is the usual idiom: the words offered have no spaces, and the
# two that may (file and profile names) split on newlines only.
# shellcheck disable=SC2207

_soundcheck_categories="ambient soloAmbient playback record playAndRecord multiRoute"
_soundcheck_modes="default voiceChat videoChat gameChat videoRecording measurement moviePlayback spokenAudio voicePrompt"
_soundcheck_category_options="mixWithOthers duckOthers allowBluetooth allowBluetoothHFP defaultToSpeaker interruptSpokenAudioAndMixWithOthers allowBluetoothA2DP allowAirPlay overrideMutedMicrophoneInterruption"
_soundcheck_codes="none badParam isBusy incompatibleCategory cannotInterruptOthers insufficientPriority cannotStartPlaying cannotStartRecording resourceNotAvailable expiredSession sessionNotActive mediaServicesFailed siriIsRecording missingEntitlement unspecified"

# Prints the profile names defined in the config file: the --config FILE on the command
# line, or the default file.
_soundcheck_profiles() {
    local file=$1
    if [[ -z $file ]]; then
        if [[ -n ${XDG_CONFIG_HOME-} ]]; then
            file=$XDG_CONFIG_HOME/soundcheck/config.toml
        else
            file=${HOME-}/.config/soundcheck/config.toml
        fi
    fi
    file=${file/#\~/${HOME-}}
    [[ -r $file ]] || return 0
    sed -n 's/^[[:space:]]*\[[[:space:]]*profiles\.\([^].]*\)[[:space:]]*\].*/\1/p' -- "$file" 2>/dev/null |
        sed 's/[[:space:]]*$//; s/^"\(.*\)"$/\1/; s/^'"'"'\(.*\)'"'"'$/\1/'
}

_soundcheck() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # The subcommand path, skipping options and the values of options that take one
    # (`--config FILE`, `--config=FILE`, which bash splits at the `=`).
    local cmd="" config="" i w
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        # route list's --input and --output are flags; elsewhere they take a device.
        [[ $cmd == "route list" && ($w == --input || $w == --output) ]] && continue
        case $w in
            --config | --profile | --category | --mode | --options | --preferred-rate | --io-buffer | --api | \
                -o | --output | -f | --format | -e | --codec | -b | --bitrate | -r | --rate | -c | --channels | \
                -d | --duration | --split | -D | --device | --on-interrupt | --resume | --device-wait | --for | --reason | \
                --volume | --start | --input | --max-latency | --min-gain | --max-gain | --max-noise | --max-thdn | \
                --max-dropouts)
                if [[ ${COMP_WORDS[i + 1]-} == "=" ]]; then
                    ((i += 1))
                fi
                if ((i + 1 < COMP_CWORD)); then
                    [[ $w == --config ]] && config=${COMP_WORDS[i + 1]}
                    ((i += 1))
                fi
                continue
                ;;
            -*) continue ;;
        esac
        case $cmd in
            "") [[ $w == record || $w == play || $w == info || $w == repair || $w == session || $w == route ]] && cmd=$w ;;
            "route")
                case $w in
                    list | show | set | watch | loopback | test) cmd="route $w" ;;
                esac
                ;;
            "route loopback")
                case $w in
                    up | down | status) cmd="route loopback $w" ;;
                esac
                ;;
            "session")
                case $w in
                    check | decode | list | watch | activate | interrupt) cmd="session $w" ;;
                esac
                ;;
        esac
    done

    # The value of an option: `--mode v`, `--mode=v`.
    local opt=$prev
    if [[ $cur == "=" && $prev == --* ]]; then
        opt=$prev
        cur=""
    elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
        opt=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    # route list's --input and --output take no value.
    [[ $cmd == "route list" && ($opt == --input || $opt == --output) ]] && opt=""
    case $opt in
        --config)
            compopt -o filenames 2>/dev/null
            local IFS=$'\n'
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --profile)
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$(_soundcheck_profiles "$config")" -- "$cur"))
            return 0
            ;;
        --category)
            COMPREPLY=($(compgen -W "$_soundcheck_categories" -- "$cur"))
            return 0
            ;;
        --mode)
            COMPREPLY=($(compgen -W "$_soundcheck_modes" -- "$cur"))
            return 0
            ;;
        --options)
            # A comma-separated list: complete the item after the last comma.
            local last=${cur##*,}
            local done_part=${cur%"$last"}
            compopt -o nospace 2>/dev/null
            COMPREPLY=($(compgen -P "$done_part" -W "$_soundcheck_category_options" -- "$last"))
            return 0
            ;;
        --preferred-rate)
            COMPREPLY=($(compgen -W "44100 48000 88200 96000 44.1k 48k" -- "$cur"))
            return 0
            ;;
        --io-buffer)
            COMPREPLY=($(compgen -W "2ms 5ms 10ms 20ms" -- "$cur"))
            return 0
            ;;
        --api)
            COMPREPLY=($(compgen -W "pulse alsa jack virtual" -- "$cur"))
            return 0
            ;;
        --input)
            COMPREPLY=($(compgen -W "default virtual pulse:soundcheck_loop.monitor" -- "$cur"))
            return 0
            ;;
        -o | --output)
            if [[ $cmd == route\ * ]]; then
                COMPREPLY=($(compgen -W "default virtual pulse:soundcheck_loop" -- "$cur"))
                return 0
            fi
            compopt -o filenames 2>/dev/null
            local IFS=$'\n'
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        -f | --format)
            COMPREPLY=($(compgen -W "wav rf64 caf m4a" -- "$cur"))
            return 0
            ;;
        -e | --codec)
            COMPREPLY=($(compgen -W "pcm16 pcm24 pcm32 float32 aac alac alac24" -- "$cur"))
            return 0
            ;;
        -b | --bitrate)
            COMPREPLY=($(compgen -W "32k 64k 96k 128k 192k 256k" -- "$cur"))
            return 0
            ;;
        -r | --rate)
            COMPREPLY=($(compgen -W "44100 48000 88200 96000 44.1k 48k" -- "$cur"))
            return 0
            ;;
        -c | --channels)
            COMPREPLY=($(compgen -W "1 2" -- "$cur"))
            return 0
            ;;
        -d | --duration | --split)
            if [[ $cmd == "route test" ]]; then
                COMPREPLY=($(compgen -W "1s 2.5s 5s 10s" -- "$cur"))
                return 0
            fi
            COMPREPLY=($(compgen -W "10s 1m 10m 1h" -- "$cur"))
            return 0
            ;;
        --on-interrupt)
            if [[ $cmd == play ]]; then
                COMPREPLY=($(compgen -W "pause stop" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "pause split stop" -- "$cur"))
            fi
            return 0
            ;;
        --volume)
            COMPREPLY=($(compgen -W "-6dB -12dB +3dB 0.5 1 2" -- "$cur"))
            return 0
            ;;
        --start)
            COMPREPLY=($(compgen -W "0 10s 1m 1m30s" -- "$cur"))
            return 0
            ;;
        --resume)
            COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
            return 0
            ;;
        --device-wait)
            COMPREPLY=($(compgen -W "10s 30s 1m 5m" -- "$cur"))
            return 0
            ;;
        -D | --device)
            if [[ $cmd == "route test" ]]; then
                COMPREPLY=($(compgen -W "virtual:signal=loop default" -- "$cur"))
                return 0
            fi
            COMPREPLY=($(compgen -W "default virtual virtual:speed=max" -- "$cur"))
            return 0
            ;;
        --for)
            COMPREPLY=($(compgen -W "0 500ms 5s 30s 1m" -- "$cur"))
            return 0
            ;;
        --reason)
            COMPREPLY=($(compgen -W "call siri alarm" -- "$cur"))
            return 0
            ;;
        --max-latency)
            COMPREPLY=($(compgen -W "10ms 20ms 50ms 100ms 500ms" -- "$cur"))
            return 0
            ;;
        --min-gain)
            COMPREPLY=($(compgen -W "-12 -6 -3 -1" -- "$cur"))
            return 0
            ;;
        --max-gain)
            COMPREPLY=($(compgen -W "1 3 6 12" -- "$cur"))
            return 0
            ;;
        --max-noise)
            COMPREPLY=($(compgen -W "-96 -80 -70 -60" -- "$cur"))
            return 0
            ;;
        --max-thdn)
            COMPREPLY=($(compgen -W "-80 -60 -40 -20" -- "$cur"))
            return 0
            ;;
        --max-dropouts)
            COMPREPLY=($(compgen -W "0 1 5 10" -- "$cur"))
            return 0
            ;;
    esac

    [[ $cur == -* ]] || {
        case $cmd in
            "") COMPREPLY=($(compgen -W "record play info repair route session" -- "$cur")) ;;
            "record" | "play" | "info" | "repair")
                compopt -o filenames 2>/dev/null
                local IFS=$'\n'
                COMPREPLY=($(compgen -f -- "$cur"))
                ;;
            "route") COMPREPLY=($(compgen -W "list show set watch loopback test" -- "$cur")) ;;
            "route loopback") COMPREPLY=($(compgen -W "up down status" -- "$cur")) ;;
            "session") COMPREPLY=($(compgen -W "check decode list watch activate interrupt" -- "$cur")) ;;
            "session decode") COMPREPLY=($(compgen -W "$_soundcheck_codes" -- "$cur")) ;;
        esac
        return 0
    }

    # Options: each command's own, -h --help included, one line per command; the global
    # options (those of "") are offered at every level as well, so the loop runs the case
    # for "" and then for the command's path.
    local opts all="" path=$cmd o
    for cmd in "$path" ""; do
    case "$cmd" in
        "") opts="--json -q --quiet -v --verbose --config -h --help --version" ;;
        "record") opts="-o --output -f --format -e --codec -b --bitrate -r --rate -c --channels -d --duration --split --force --fragmented -D --device --on-interrupt --resume --retry --device-wait --follow-default --profile --category --mode --options --preferred-rate --io-buffer --background --no-notify -h --help" ;;
        "play") opts="-D --device --volume --start --duration --on-interrupt --profile --category --mode --options --preferred-rate --io-buffer --background --no-notify -h --help" ;;
        "info") opts="-h --help" ;;
        "repair") opts="-o --output -h --help" ;;
        "route") opts="-h --help" ;;
        "route list") opts="--input --output --api -h --help" ;;
        "route show") opts="--input --output --profile --category --mode --options --preferred-rate --io-buffer --background --no-notify -h --help" ;;
        "route set") opts="--input --output --clear -h --help" ;;
        "route watch") opts="--for -h --help" ;;
        "route loopback") opts="-h --help" ;;
        "route loopback up") opts="-h --help" ;;
        "route loopback down") opts="-h --help" ;;
        "route loopback status") opts="-h --help" ;;
        "route test") opts="-D --device --input --output --duration --max-latency --min-gain --max-gain --max-noise --max-thdn --max-dropouts --profile --category --mode --options --preferred-rate --io-buffer --background --no-notify -h --help" ;;
        "session") opts="-h --help" ;;
        "session check") opts="--profile --category --mode --options --preferred-rate --io-buffer --background --no-notify -h --help" ;;
        "session decode") opts="--list -h --help" ;;
        "session list") opts="-h --help" ;;
        "session watch") opts="--for -h --help" ;;
        "session activate") opts="--profile --category --mode --options --preferred-rate --io-buffer --background --no-notify --for -h --help" ;;
        "session interrupt") opts="--reason --for --no-notify -h --help" ;;
        *) opts="" ;;
    esac
    for o in $opts; do
        [[ " $all " == *" $o "* ]] || all="$all $o"
    done
    done
    COMPREPLY=($(compgen -W "$all" -- "$cur"))
    return 0
}
complete -F _soundcheck soundcheck
