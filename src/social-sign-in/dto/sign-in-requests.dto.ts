import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Where the browser comes back to, and the app's own state: what 52 and a link (55) take. */
export class ReturnToDto {
  @ApiProperty({
    example: 'https://app.example.com/signed-in',
    description: 'One of SOCIAL_RETURN_URLS, exactly: the browser comes back here with login_code (or linked=true) or error',
  })
  @IsDefined({ message: 'return_to is required' })
  @IsString({ message: 'return_to must be a string' })
  @MaxLength(2000, { message: 'return_to must be at most 2000 characters' })
  return_to: string;

  @ApiPropertyOptional({
    example: 'af0ifjsldkj',
    description: 'The app’s own value, given back as `state` at return_to, so that the app knows the answer is to its own request',
    maxLength: 256,
  })
  @IsOptional()
  @IsString({ message: 'state must be a string' })
  @MaxLength(256, { message: 'state must be at most 256 characters' })
  @Matches(/^[\x21-\x7e]*$/, { message: 'state must be printable ASCII without spaces' })
  state?: string;
}

export class LoginCodeDto {
  @ApiProperty({
    example: 'mW3cS1lZ9nq0VbF7yT2eXgH8aKdR4uJ6oPiL5sNtQ0c',
    description: 'From the query of the callback’s redirect to return_to; single use, valid 60 seconds',
    maxLength: 64,
  })
  @IsDefined({ message: 'login_code is required' })
  @IsString({ message: 'login_code must be a string' })
  @MaxLength(64, { message: 'login_code must be at most 64 characters' })
  login_code: string;
}

export class LinkUrlDto {
  @ApiProperty({
    example: 'https://accounts.google.com/o/oauth2/v2/auth?client_id=…&state=…',
    description: 'Open it in the person’s browser (and only theirs): valid 10 minutes, once',
  })
  url: string;
}
